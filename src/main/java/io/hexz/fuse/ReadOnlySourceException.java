package io.hexz.fuse;

import java.nio.file.FileSystemException;

/**
 * A writable mount (one with an overlay) was asked of a source that only mounts read-only: a
 * directory of snapshots, or a snapshot of a directory tree. The file is the source. Immutable.
 */
public final class ReadOnlySourceException extends FileSystemException {
  private static final long serialVersionUID = 1L;

  ReadOnlySourceException(String source, String reason) {
    super(source, null, reason);
  }
}
