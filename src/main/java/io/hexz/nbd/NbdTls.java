package io.hexz.nbd;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

/**
 * The server's TLS credentials: a PEM certificate chain (the server's certificate first, then
 * any intermediates) and its PEM PKCS#8 private key (RSA or EC, unencrypted), read and checked
 * once by {@link #fromPem}, so a bad file is reported when the server starts, not at the first
 * connection. With credentials an {@link NbdServer} requires TLS of every client (the protocol's
 * FORCEDTLS mode, negotiated with NBD_OPT_STARTTLS). TLS 1.2 and 1.3 only. The server proves
 * who it is and the connection is encrypted; clients are not authenticated (no client
 * certificates are asked for). Immutable and thread-safe.
 */
public final class NbdTls {
  /** Protocols offered: the protocol requires TLS 1.2, and older versions are not offered. */
  private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
  /** Largest certificate or key file read (a real chain is a few KiB). */
  private static final int MAX_FILE = 1 << 20;

  private final SSLContext context;
  private final X509Certificate certificate;

  private NbdTls(SSLContext context, X509Certificate certificate) {
    this.context = context;
    this.certificate = certificate;
  }

  /** A PEM file that cannot serve as TLS credentials; the message names the file and what is wrong. */
  public static final class CredentialException extends java.nio.file.FileSystemException {
    private static final long serialVersionUID = 1L;

    CredentialException(Path file, String reason) {
      super(file.toString(), null, reason);
    }

    @Override
    public String getMessage() {
      return getFile() + ": " + getReason();
    }
  }

  /**
   * Reads a PEM certificate chain and the PEM PKCS#8 private key of its first certificate.
   *
   * @throws CredentialException if a file is missing, not PEM, holds no certificate or no
   *     PKCS#8 key, the certificate is expired or not yet valid, or the key is not the
   *     certificate's
   * @throws IOException if a file cannot be read
   */
  public static NbdTls fromPem(Path certificateChain, Path privateKey) throws IOException {
    List<X509Certificate> chain = readCertificates(certificateChain);
    X509Certificate leaf = chain.get(0);
    try {
      leaf.checkValidity();
    } catch (CertificateExpiredException e) {
      throw new CredentialException(certificateChain, "the certificate " + leaf.getSubjectX500Principal().getName()
          + " expired on " + leaf.getNotAfter().toInstant());
    } catch (CertificateNotYetValidException e) {
      throw new CredentialException(certificateChain, "the certificate " + leaf.getSubjectX500Principal().getName()
          + " is not valid before " + leaf.getNotBefore().toInstant());
    }
    PrivateKey key = readKey(privateKey, leaf.getPublicKey().getAlgorithm(), certificateChain);
    if (!matches(key, leaf)) {
      throw new CredentialException(privateKey, "this private key is not the key of the first certificate in "
          + certificateChain + " (" + leaf.getSubjectX500Principal().getName() + ")");
    }
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      char[] none = new char[0];
      ks.setKeyEntry("server", key, none, chain.toArray(new X509Certificate[0]));
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, none);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), null, null);
      return new NbdTls(ctx, leaf);
    } catch (GeneralSecurityException e) {
      throw new CredentialException(certificateChain, "cannot be used for TLS: " + e.getMessage());
    }
  }

  /** The server certificate's subject, for a log line. */
  public String subject() {
    return certificate.getSubjectX500Principal().getName();
  }

  /** A server-side engine for one connection: TLS 1.2/1.3, no client certificate asked for. */
  SSLEngine newEngine() {
    SSLEngine e = context.createSSLEngine();
    e.setUseClientMode(false);
    e.setEnabledProtocols(PROTOCOLS);
    e.setNeedClientAuth(false);
    return e;
  }

  private static byte[] read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      if (!Files.exists(file)) {
        throw new NoSuchFileException(file.toString());
      }
      throw new CredentialException(file, "not a regular file");
    }
    if (Files.size(file) > MAX_FILE) {
      throw new CredentialException(file, "larger than " + MAX_FILE + " bytes: not a PEM certificate or key");
    }
    return Files.readAllBytes(file);
  }

  private static List<X509Certificate> readCertificates(Path file) throws IOException {
    byte[] pem = read(file);
    String text = new String(pem, StandardCharsets.US_ASCII);
    if (!text.contains("-----BEGIN CERTIFICATE-----")) {
      throw new CredentialException(file, "no PEM certificate (\"-----BEGIN CERTIFICATE-----\") in this file"
          + (text.contains("PRIVATE KEY-----") ? "; it holds a private key" : ""));
    }
    List<X509Certificate> chain = new ArrayList<>();
    try {
      for (java.security.cert.Certificate c : CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem))) {
        chain.add((X509Certificate) c);
      }
    } catch (CertificateException e) {
      throw new CredentialException(file, "not a valid PEM certificate chain: " + e.getMessage());
    }
    if (chain.isEmpty()) {
      throw new CredentialException(file, "no certificate could be read");
    }
    return chain;
  }

  /** The PKCS#8 key in {@code file}, of {@code algorithm} (that of the certificate in {@code certFile}). */
  private static PrivateKey readKey(Path file, String algorithm, Path certFile) throws IOException {
    String text = new String(read(file), StandardCharsets.US_ASCII);
    String begin = "-----BEGIN PRIVATE KEY-----";
    String end = "-----END PRIVATE KEY-----";
    int b = text.indexOf(begin);
    int e = b < 0 ? -1 : text.indexOf(end, b);
    if (b < 0 || e < 0) {
      String found = text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") ? "an encrypted PKCS#8 key"
          : text.contains("-----BEGIN RSA PRIVATE KEY-----") ? "a PKCS#1 RSA key"
          : text.contains("-----BEGIN EC PRIVATE KEY-----") ? "a SEC1 EC key"
          : text.contains("-----BEGIN CERTIFICATE-----") ? "a certificate" : null;
      throw new CredentialException(file, "no unencrypted PKCS#8 private key (\"" + begin + "\")"
          + (found == null ? "" : "; found " + found + " (convert with: openssl pkcs8 -topk8 -nocrypt)"));
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e));
    } catch (IllegalArgumentException x) {
      throw new CredentialException(file, "the private key is not valid base64: " + x.getMessage());
    }
    try {
      return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (java.security.NoSuchAlgorithmException x) {
      throw new CredentialException(file, "keys of type " + algorithm + " are not supported (RSA or EC)");
    } catch (InvalidKeySpecException x) {
      for (String other : new String[] {"RSA", "EC", "Ed25519"}) {
        try {
          KeyFactory.getInstance(other).generatePrivate(new PKCS8EncodedKeySpec(der));
          throw new CredentialException(file, "an " + other + " private key, but the certificate in " + certFile
              + " has an " + algorithm + " key: not its key");
        } catch (GeneralSecurityException notThisOne) {
          // try the next
        }
      }
      throw new CredentialException(file, "not a valid PKCS#8 private key: " + x.getMessage());
    }
  }

  /** Whether {@code key} signs what the certificate's public key verifies. */
  private static boolean matches(PrivateKey key, X509Certificate cert) {
    String alg = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      default -> key.getAlgorithm(); // EdDSA, Ed25519: the algorithm is its own signature
    };
    try {
      byte[] probe = new byte[32];
      new SecureRandom().nextBytes(probe);
      Signature s = Signature.getInstance(alg);
      s.initSign(key);
      s.update(probe);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance(alg);
      v.initVerify(cert.getPublicKey());
      v.update(probe);
      return v.verify(sig);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
