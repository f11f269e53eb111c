package dev.smc.transfer.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The receiver's certificate, written in DER by smc itself: what the JDK and OpenSSL read in it. */
class SelfSignedCertificateTest {
  @TempDir
  Path tmp;

  private static KeyPair key() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  @Test
  void holdsTheNamesTheValidityAndIsNotACaAndVerifiesWithItsOwnKey() throws Exception {
    KeyPair kp = key();
    Instant from = Instant.parse("2026-01-02T03:04:05Z");
    Instant until = Instant.parse("2055-06-07T08:09:10Z"); // past 2049: GeneralizedTime
    X509Certificate c = SelfSignedCertificate.make(kp, "smc receiver", from, until,
        List.of("localhost", "127.0.0.1", "::1", "transit.example", "10.1.2.3", "fe80::1"));
    assertEquals("CN=smc receiver", c.getSubjectX500Principal().getName());
    assertEquals(c.getSubjectX500Principal(), c.getIssuerX500Principal());
    assertEquals(3, c.getVersion());
    assertEquals(from, c.getNotBefore().toInstant());
    assertEquals(until, c.getNotAfter().toInstant());
    assertEquals(-1, c.getBasicConstraints(), "not a CA");
    assertTrue(c.getCriticalExtensionOIDs().contains("2.5.29.19"), "basic constraints are critical");
    List<String> names = new ArrayList<>();
    for (List<?> n : c.getSubjectAlternativeNames()) {
      names.add(n.get(0) + "=" + n.get(1));
    }
    assertEquals(List.of("2=localhost", "7=127.0.0.1", "7=0:0:0:0:0:0:0:1", "2=transit.example", "7=10.1.2.3",
        "7=fe80:0:0:0:0:0:0:1"), names);
    assertTrue(c.getSerialNumber().signum() > 0);
    c.verify(kp.getPublic());
    assertEquals("SHA256withECDSA", c.getSigAlgName());
  }

  @Test
  void openSslReadsTheCertificateTheReceiverMakes() throws Exception {
    Certificates made = Certificates.loadOrCreate(tmp.resolve("certs"), "transit.example");
    Process p = new ProcessBuilder("openssl", "x509", "-in", tmp.resolve("certs/cert.pem").toString(), "-noout",
        "-text").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("DNS:localhost") && out.contains("IP Address:127.0.0.1") && out.contains("DNS:transit.example")
        && out.contains("CA:FALSE") && out.contains("ecdsa-with-SHA256"), out);
    // read again as it is, with the same fingerprint
    assertEquals(made.fingerprint(), Certificates.loadOrCreate(tmp.resolve("certs"), "transit.example").fingerprint());
    assertEquals(made.fingerprint() + "\n", Files.readString(tmp.resolve("certs/fingerprint")));
  }
}
