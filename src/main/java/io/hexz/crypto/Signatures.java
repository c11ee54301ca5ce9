package io.hexz.crypto;

import io.hexz.format.Checksums;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;

/**
 * Ed25519 keys and signatures (JDK): key pairs, PEM files (PKCS#8 "PRIVATE KEY", X.509 "PUBLIC
 * KEY"), key fingerprints, and signing of a snapshot's root hash. Stateless, thread-safe.
 */
public final class Signatures {
  private static final byte[] CONTEXT = "hexz-signature-1".getBytes(StandardCharsets.US_ASCII);
  /** RFC 8410 SubjectPublicKeyInfo prefix of an Ed25519 public key; the 32 key bytes follow. */
  private static final byte[] X509_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

  private Signatures() {}

  public static KeyPair generate() {
    try {
      return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no Ed25519", e);
    }
  }

  /** PEM text of a private key (PKCS#8). */
  public static String pem(PrivateKey k) {
    byte[] der = k.getEncoded();
    try {
      return pem("PRIVATE KEY", der);
    } finally {
      Arrays.fill(der, (byte) 0);
    }
  }

  /** PEM text of a public key (X.509 SubjectPublicKeyInfo). */
  public static String pem(PublicKey k) {
    return pem("PUBLIC KEY", k.getEncoded());
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  /** Reads an Ed25519 private key from a PEM file. */
  public static PrivateKey readPrivate(Path file) throws IOException {
    byte[] der = readPem(file, "PRIVATE KEY");
    try {
      return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new IOException(file + ": not an Ed25519 private key (" + e.getMessage() + ")");
    } finally {
      Arrays.fill(der, (byte) 0);
    }
  }

  /** Reads an Ed25519 public key from a PEM file. */
  public static PublicKey readPublic(Path file) throws IOException {
    byte[] der = readPem(file, "PUBLIC KEY");
    try {
      return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new IOException(file + ": not an Ed25519 public key (" + e.getMessage() + ")");
    }
  }

  private static byte[] readPem(Path file, String type) throws IOException {
    if (Files.size(file) > 16384) {
      throw new IOException(file + ": too large for a PEM key file");
    }
    byte[] raw = Files.readAllBytes(file);
    String text = new String(raw, StandardCharsets.US_ASCII);
    Arrays.fill(raw, (byte) 0);
    String begin = "-----BEGIN " + type + "-----";
    String end = "-----END " + type + "-----";
    int b = text.indexOf(begin);
    int e = text.indexOf(end);
    if (b < 0 || e < b) {
      throw new IOException(file + ": no '" + begin + "' block (expected a PEM " + type.toLowerCase() + " file)");
    }
    try {
      return Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e));
    } catch (IllegalArgumentException ex) {
      throw new IOException(file + ": damaged PEM (" + ex.getMessage() + ")");
    }
  }

  /** The public half of an Ed25519 private key (derived with Bouncy Castle; the JDK does not expose it). */
  public static PublicKey publicOf(PrivateKey k) {
    byte[] seed = ((EdECPrivateKey) k).getBytes().orElseThrow(
        () -> new IllegalArgumentException("the private key's bytes are not accessible"));
    try {
      byte[] raw = new Ed25519PrivateKeyParameters(seed, 0).generatePublicKey().getEncoded();
      byte[] der = Arrays.copyOf(X509_PREFIX, X509_PREFIX.length + raw.length);
      System.arraycopy(raw, 0, der, X509_PREFIX.length, raw.length);
      return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot rebuild an Ed25519 public key", e);
    } finally {
      Arrays.fill(seed, (byte) 0);
    }
  }

  /** SHA-256 of the key's X.509 encoding: what a signature block records to name its key. */
  public static byte[] fingerprint(PublicKey k) {
    return Checksums.sha256().digest(k.getEncoded());
  }

  /** Ed25519 signature of {@code "hexz-signature-1" || root}. */
  public static byte[] sign(PrivateKey k, byte[] root) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(k);
      s.update(CONTEXT);
      s.update(root);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot sign with this key: " + e.getMessage(), e);
    }
  }

  /** Whether {@code signature} is {@code k}'s signature of {@code root}. */
  public static boolean verify(PublicKey k, byte[] root, byte[] signature) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initVerify(k);
      s.update(CONTEXT);
      s.update(root);
      return s.verify(signature);
    } catch (java.security.SignatureException e) {
      return false; // a malformed signature is a wrong one
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot verify with this key: " + e.getMessage(), e);
    }
  }
}
