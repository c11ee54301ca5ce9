package io.hexz.overlay;

import java.nio.file.FileSystemException;

/** An overlay file that is damaged, belongs to another base, or is in use. Carries the path. */
public final class OverlayException extends FileSystemException {
  private static final long serialVersionUID = 1L;

  public OverlayException(String file, String reason) {
    super(file, null, reason);
  }

  @Override
  public String getMessage() {
    return getFile() + ": " + getReason();
  }
}
