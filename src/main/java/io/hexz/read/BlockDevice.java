package io.hexz.read;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;

/**
 * A fixed-size array of bytes with positional reads: a snapshot stream, a thin chain, an overlay.
 * Implementations are thread-safe: concurrent reads at any offsets are allowed.
 */
public interface BlockDevice extends Closeable {

  /** Size in bytes. */
  long size();

  /**
   * Reads bytes at {@code offset} into {@code dst} from its position up to its limit or the end
   * of the device, whichever comes first, and advances the buffer's position.
   *
   * @return bytes read, or -1 if {@code offset} is at or beyond the end (and dst has room)
   * @throws IOException if a block is damaged: never wrong bytes
   */
  int read(ByteBuffer dst, long offset) throws IOException;

  /**
   * The argument checks every {@link #read(ByteBuffer, long)} starts with: throws on a negative
   * offset; returns 0 when {@code dst} is full, -1 at or past {@code size}, 1 when the read goes on.
   */
  static int precheckRead(ByteBuffer dst, long offset, long size) {
    if (offset < 0) {
      throw new IllegalArgumentException("offset (" + offset + ") must be >= 0");
    }
    if (!dst.hasRemaining()) {
      return 0;
    }
    return offset >= size ? -1 : 1;
  }

  /** Array form of {@link #read(ByteBuffer, long)}. */
  default int read(byte[] b, int off, int len, long offset) throws IOException {
    return read(ByteBuffer.wrap(b, off, len), offset);
  }

  /** Whether {@link #write} is supported. */
  default boolean isWritable() {
    return false;
  }

  /** Writes all of {@code src} at {@code offset}; only for writable devices. */
  default void write(ByteBuffer src, long offset) throws IOException {
    throw new ReadOnlyBufferException();
  }

  /** Makes written data durable; a no-op for read-only devices. */
  default void flush() throws IOException {}
}
