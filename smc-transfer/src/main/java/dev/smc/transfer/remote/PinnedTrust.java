package dev.smc.transfer.remote;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts exactly one certificate: the one whose SHA-256 fingerprint is pinned. Names and issuers
 * do not matter, so a receiver's self-signed certificate is trusted on any address, and nothing
 * else is, not even a certificate a public CA signed.
 */
final class PinnedTrust extends X509ExtendedTrustManager {
  private final String pin;

  PinnedTrust(String pin) {
    this.pin = Certificates.parsePin(pin);
  }

  /** The server's certificate is not the pinned one. */
  static final class PinMismatch extends CertificateException {
    PinMismatch(String message) {
      super(message);
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new PinMismatch("the server sent no certificate");
    }
    String got = Certificates.fingerprint(chain[0]);
    if (!got.equals(pin)) {
      throw new PinMismatch("the server's certificate is " + got + ", not the pinned " + pin);
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    checkServerTrusted(chain, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    checkServerTrusted(chain, authType);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw new CertificateException("client certificates are not used");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    checkClientTrusted(chain, authType);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    checkClientTrusted(chain, authType);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }
}
