package dev.smc.transfer.remote;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The receiver's key and self-signed certificate in a folder: {@code key.pem} (PKCS#8, mode 0600),
 * {@code cert.pem} and {@code fingerprint} ({@code sha256:HEX} of the certificate, what agents pin).
 * Made on first start (an EC P-256 key, valid ten years, for {@code localhost}, the loopback
 * addresses and the listen host), read as they are afterwards.
 */
final class Certificates {
  static final String KEY = "key.pem";
  static final String CERT = "cert.pem";
  static final String FINGERPRINT = "fingerprint";

  private final PrivateKey key;
  private final X509Certificate cert;

  private Certificates(PrivateKey key, X509Certificate cert) {
    this.key = key;
    this.cert = cert;
  }

  /** Reads the folder's key and certificate, making them first when the folder has none. */
  static Certificates loadOrCreate(Path dir, String host) throws IOException {
    Files.createDirectories(dir);
    if (!Files.exists(dir.resolve(CERT))) {
      create(dir, host);
    }
    try {
      byte[] keyDer = pem(Files.readString(dir.resolve(KEY), StandardCharsets.US_ASCII), "PRIVATE KEY", dir.resolve(KEY));
      byte[] certDer = pem(Files.readString(dir.resolve(CERT), StandardCharsets.US_ASCII), "CERTIFICATE", dir.resolve(CERT));
      X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(certDer));
      String alg = cert.getPublicKey().getAlgorithm();
      PrivateKey key = KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(keyDer));
      Certificates c = new Certificates(key, cert);
      String expected = c.fingerprint() + "\n";
      Path fp = dir.resolve(FINGERPRINT);
      if (!Files.exists(fp) || !Files.readString(fp, StandardCharsets.US_ASCII).equals(expected)) {
        writeAtomically(fp, expected, false);
      }
      return c;
    } catch (GeneralSecurityException e) {
      throw new IOException("certificate folder " + dir + ": " + KEY + " or " + CERT + " is not usable: "
          + e.getMessage(), e);
    }
  }

  private static void create(Path dir, String host) throws IOException {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
      KeyPair kp = g.generateKeyPair();
      List<String> names = new ArrayList<>(List.of("localhost", "127.0.0.1", "::1"));
      if (!host.isEmpty() && !host.equals("0.0.0.0") && !host.equals("::") && !names.contains(host)) {
        names.add(host);
      }
      Instant now = Instant.now();
      X509Certificate cert = SelfSignedCertificate.make(kp, "smc receiver", now.minus(Duration.ofDays(1)),
          now.plus(Duration.ofDays(3650)), names);
      // the key first: a certificate without its key would be unusable, a key alone is made again
      writeAtomically(dir.resolve(KEY), pemText("PRIVATE KEY", kp.getPrivate().getEncoded()), true);
      writeAtomically(dir.resolve(CERT), pemText("CERTIFICATE", cert.getEncoded()), false);
    } catch (GeneralSecurityException e) {
      throw new IOException("making the receiver's certificate in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** A server-side TLS context over this key and certificate (TLS 1.3 and 1.2). */
  SSLContext serverContext() throws IOException {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      char[] pw = new char[0];
      ks.setKeyEntry("receiver", key, pw, new java.security.cert.Certificate[] {cert});
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, pw);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), null, new SecureRandom());
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IOException("TLS context: " + e.getMessage(), e);
    }
  }

  /** {@code sha256:HEX} of the certificate's DER encoding. */
  String fingerprint() {
    try {
      return fingerprint(cert);
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }

  static String fingerprint(X509Certificate c) throws CertificateEncodingException {
    try {
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Normalises a pin ({@code sha256:HEX}, any case, colons between bytes allowed) or throws naming it. */
  static String parsePin(String pin) {
    String p = pin.trim().toLowerCase(Locale.ROOT);
    if (p.startsWith("sha256:")) {
      p = p.substring(7);
    } else {
      throw new IllegalArgumentException("pin '" + pin + "': allowed sha256:HEX (64 hex digits), as the"
          + " receiver's CERTS/fingerprint file gives it");
    }
    p = p.replace(":", "");
    if (p.length() != 64 || !p.chars().allMatch(ch -> (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) {
      throw new IllegalArgumentException("pin '" + pin + "': allowed sha256:HEX (64 hex digits), as the"
          + " receiver's CERTS/fingerprint file gives it");
    }
    return "sha256:" + p;
  }

  private static String pemText(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  private static byte[] pem(String text, String type, Path file) throws IOException {
    String begin = "-----BEGIN " + type + "-----";
    String end = "-----END " + type + "-----";
    int b = text.indexOf(begin);
    int e = text.indexOf(end);
    if (b < 0 || e < b) {
      throw new IOException(file + ": no " + type + " in PEM form");
    }
    return Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e));
  }

  /** Writes {@code text} to a temporary file beside {@code file}, forces it, renames it over {@code file}. */
  static void writeAtomically(Path file, String text, boolean secret) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    if (secret) {
      try {
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException | FileAlreadyExistsException e) {
        Files.createFile(tmp);
      }
    }
    Files.writeString(tmp, text, StandardCharsets.US_ASCII);
    try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
