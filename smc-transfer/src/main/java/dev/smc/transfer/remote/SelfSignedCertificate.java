package dev.smc.transfer.remote;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * A self-signed X.509 v3 certificate for an EC key, written out in DER with the JDK's own
 * signature: the receiver needs exactly one kind of certificate (a subject name, a validity, the
 * names it answers to, "not a CA"), which is some sixty lines of ASN.1 — far less than the 10 MB of
 * a certificate library every embedding program would have to carry. The JDK parses the result, so
 * what is made is checked as a certificate before it is used. Stateless.
 */
final class SelfSignedCertificate {
  private static final byte[] ECDSA_WITH_SHA256 = oid(1, 2, 840, 10045, 4, 3, 2);
  private static final byte[] COMMON_NAME = oid(2, 5, 4, 3);
  private static final byte[] SUBJECT_ALT_NAME = oid(2, 5, 29, 17);
  private static final byte[] BASIC_CONSTRAINTS = oid(2, 5, 29, 19);

  private SelfSignedCertificate() {}

  /**
   * A certificate of {@code key} named {@code CN=commonName}, valid from {@code from} to
   * {@code until}, for the host names and IP addresses in {@code names} (IP literals become
   * address entries), not a CA, signed with SHA256withECDSA by its own key.
   */
  static X509Certificate make(KeyPair key, String commonName, Instant from, Instant until, List<String> names)
      throws GeneralSecurityException {
    byte[] name = seq(set(seq(COMMON_NAME, tlv(0x0c, commonName.getBytes(StandardCharsets.UTF_8)))));
    byte[] algorithm = seq(ECDSA_WITH_SHA256);
    ByteArrayOutputStream san = new ByteArrayOutputStream();
    for (String n : names) {
      byte[] ip = ipLiteral(n);
      san.writeBytes(ip != null ? tlv(0x87, ip) : tlv(0x82, n.getBytes(StandardCharsets.US_ASCII)));
    }
    byte[] extensions = tlv(0xa3, seq(
        seq(SUBJECT_ALT_NAME, tlv(0x04, seq(san.toByteArray()))),
        seq(BASIC_CONSTRAINTS, tlv(0x01, new byte[] {(byte) 0xff}), tlv(0x04, seq()))));
    byte[] serial = new BigInteger(63, new SecureRandom()).add(BigInteger.ONE).toByteArray();
    byte[] tbs = seq(
        tlv(0xa0, tlv(0x02, new byte[] {2})), // v3
        tlv(0x02, serial),
        algorithm,
        name,
        seq(time(from), time(until)),
        name,
        key.getPublic().getEncoded(), // SubjectPublicKeyInfo, already DER
        extensions);
    Signature s = Signature.getInstance("SHA256withECDSA");
    s.initSign(key.getPrivate());
    s.update(tbs);
    byte[] sig = s.sign();
    byte[] bits = new byte[sig.length + 1]; // no unused bits
    System.arraycopy(sig, 0, bits, 1, sig.length);
    byte[] der = seq(tbs, algorithm, tlv(0x03, bits));
    X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(der));
    cert.verify(key.getPublic());
    return cert;
  }

  /** UTCTime up to 2049, GeneralizedTime after (RFC 5280, 4.1.2.5). */
  private static byte[] time(Instant t) {
    boolean utc = t.atZone(ZoneOffset.UTC).getYear() < 2050;
    String text = DateTimeFormatter.ofPattern(utc ? "yyMMddHHmmss'Z'" : "yyyyMMddHHmmss'Z'").withZone(ZoneOffset.UTC)
        .format(t);
    return tlv(utc ? 0x17 : 0x18, text.getBytes(StandardCharsets.US_ASCII));
  }

  /** The address bytes of an IPv4 or IPv6 literal, or null for a host name (never a name lookup). */
  private static byte[] ipLiteral(String s) {
    boolean v4 = s.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    boolean v6 = s.indexOf(':') >= 0 && s.matches("[0-9A-Fa-f:.]+");
    if (!v4 && !v6) {
      return null;
    }
    try {
      return InetAddress.getByName(s).getAddress(); // a literal: parsed, not resolved
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static byte[] seq(byte[]... parts) {
    return tlv(0x30, concat(parts));
  }

  private static byte[] set(byte[]... parts) {
    return tlv(0x31, concat(parts));
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** One DER element: tag, definite length, content. */
  private static byte[] tlv(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
    out.write(tag);
    int n = content.length;
    if (n < 0x80) {
      out.write(n);
    } else {
      int bytes = n < 0x100 ? 1 : n < 0x10000 ? 2 : 3;
      out.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) {
        out.write(n >>> (8 * i));
      }
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  /** An OBJECT IDENTIFIER element. */
  private static byte[] oid(int... arcs) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(arcs[0] * 40 + arcs[1]);
    for (int i = 2; i < arcs.length; i++) {
      int v = arcs[i];
      int groups = 1;
      for (int x = v >>> 7; x != 0; x >>>= 7) {
        groups++;
      }
      for (int g = groups - 1; g >= 0; g--) {
        out.write(((v >>> (7 * g)) & 0x7f) | (g > 0 ? 0x80 : 0));
      }
    }
    return tlv(0x06, out.toByteArray());
  }
}
