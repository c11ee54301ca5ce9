package io.hexz.format;

/**
 * A snapshot was read with a public key and is unsigned, signed by another key, or its content
 * does not match what was signed.
 */
public class BadSignatureException extends SnapshotException {
  private static final long serialVersionUID = 1L;

  public BadSignatureException(String file, String reason) {
    super(file, reason);
  }
}
