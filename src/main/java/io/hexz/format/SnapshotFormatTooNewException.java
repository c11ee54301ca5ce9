package io.hexz.format;

/** The file uses a format version or incompatible feature this hexz does not know. */
public final class SnapshotFormatTooNewException extends SnapshotException {
  private static final long serialVersionUID = 1L;

  public SnapshotFormatTooNewException(String file, String reason) {
    super(file, reason);
  }
}
