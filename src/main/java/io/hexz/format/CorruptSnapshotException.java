package io.hexz.format;

/** The file is not a hexz snapshot, or a checked structure in it is damaged or truncated. */
public class CorruptSnapshotException extends SnapshotException {
  private static final long serialVersionUID = 1L;

  public CorruptSnapshotException(String file, String reason) {
    super(file, reason);
  }

  public CorruptSnapshotException(String file, String reason, Throwable cause) {
    super(file, reason, cause);
  }
}
