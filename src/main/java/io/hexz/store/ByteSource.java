package io.hexz.store;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * Random-access bytes of a snapshot file: local, HTTP or S3. Implementations are thread-safe:
 * concurrent positional reads are allowed and do not share a file position.
 */
public interface ByteSource extends Closeable {

  /** Name for error messages: a path or a URI without credentials. */
  String name();

  /** Length in bytes, fixed for the life of the source. */
  long size() throws IOException;

  /**
   * Fills {@code dst} from its position to its limit with the bytes at {@code position}.
   *
   * @throws java.io.EOFException if the source ends first
   */
  void readFully(ByteBuffer dst, long position) throws IOException;

  /** Reads {@code length} bytes at {@code position} into a new array. */
  default byte[] readFully(long position, int length) throws IOException {
    byte[] b = new byte[length];
    readFully(ByteBuffer.wrap(b), position);
    return b;
  }

  /** Requests, bytes fetched and cache hits so far, for a remote source; empty for a local file. */
  default Optional<RemoteStats> remoteStats() {
    return Optional.empty();
  }
}
