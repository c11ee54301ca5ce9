package io.hexz.format;

/**
 * An encrypted snapshot was opened without a password. Names the file, not how a password is
 * given (that is the caller's: a flag, a prompt, a variable). Immutable.
 */
public final class PasswordRequiredException extends SnapshotException {
  private static final long serialVersionUID = 1L;

  public PasswordRequiredException(String file) {
    super(file, "is encrypted: a password is needed");
  }
}
