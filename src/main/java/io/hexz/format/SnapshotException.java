package io.hexz.format;

import java.nio.file.FileSystemException;

/**
 * Base of every problem hexz finds in a snapshot file. Carries the file (path or URI) so that the
 * one-line message a user sees names it.
 */
public class SnapshotException extends FileSystemException {
  private static final long serialVersionUID = 1L;

  public SnapshotException(String file, String reason) {
    super(file, null, reason);
  }

  public SnapshotException(String file, String reason, Throwable cause) {
    super(file, null, reason);
    initCause(cause);
  }

  /** "FILE: reason" without Java's class-name decoration. */
  @Override
  public String getMessage() {
    return getFile() + ": " + getReason();
  }
}
