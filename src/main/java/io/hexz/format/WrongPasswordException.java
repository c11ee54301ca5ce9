package io.hexz.format;

/**
 * An encrypted snapshot's key check did not open with the derived key: the password is wrong or
 * the clear header fields it authenticates were changed. The two cannot be told apart, on purpose.
 */
public class WrongPasswordException extends SnapshotException {
  private static final long serialVersionUID = 1L;

  public WrongPasswordException(String file) {
    super(file, "wrong password or damaged header");
  }
}
