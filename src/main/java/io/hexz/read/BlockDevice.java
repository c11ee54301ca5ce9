package io.hexz.read;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;

/**
 * A fixed-size array of bytes with positional reads: a snapshot stream, a thin chain, an overlay.
 * Implementations are thread-safe: concurrent reads at any offsets are allowed.
 *
 * <p>Implementations extend {@link AbstractBlockDevice}, which checks the arguments and the
 * closed state of every entry point before the device sees them; one that implements this
 * interface directly runs the same checks through {@link #precheckRead} and {@link #requireInside}.
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
   * {@link AbstractBlockDevice} runs them itself; this is for a device that implements the
   * interface directly (public API, so kept).
   */
  static int precheckRead(ByteBuffer dst, long offset, long size) {
    return AbstractBlockDevice.precheck(dst, offset, size);
  }

  /** Array form of {@link #read(ByteBuffer, long)}. */
  default int read(byte[] b, int off, int len, long offset) throws IOException {
    return read(ByteBuffer.wrap(b, off, len), offset);
  }

  /** Receives bytes of a device in order: where {@link #transferTo} delivers them. */
  interface Sink {
    /** The next {@code length} bytes are {@code src[offset, offset + length)}; valid only during the call. */
    void bytes(byte[] src, int offset, int length) throws IOException;

    /** The next {@code length} bytes are zeros. */
    void zeros(int length) throws IOException;
  }

  /**
   * Hands the bytes at {@code [offset, offset + length)}, clipped at the end of the device, to
   * {@code sink} in order, straight from decoded blocks where the implementation can (no copy into
   * an intermediate buffer: the FUSE read path copies once, into the kernel's buffer).
   *
   * @param scratch a buffer of at least {@code length} bytes implementations may read into
   * @return bytes delivered (0 at or beyond the end)
   */
  default int transferTo(long offset, int length, byte[] scratch, Sink sink) throws IOException {
    return AbstractBlockDevice.transferByReading(this, offset, length, scratch, sink);
  }

  /** A run of bytes that are all stored data or all known to read as zeros without being stored. */
  record Extent(long length, boolean zero) {}

  /**
   * The run of bytes from {@code offset} (inside the device) that share one allocation state, at
   * most {@code maxLength} bytes and at least one (an NBD server reports these as
   * {@code base:allocation}, so that copies skip zero ranges). Costs index look-ups only, no
   * block reads. The default knows nothing and calls everything data.
   */
  default Extent extentAt(long offset, long maxLength) throws IOException {
    AbstractBlockDevice.requireExtent(offset, maxLength, size());
    return new Extent(Math.min(maxLength, size() - offset), false);
  }

  /** Whether {@link #write} is supported. */
  default boolean isWritable() {
    return false;
  }

  /** Writes all of {@code src} at {@code offset}; only for writable devices. */
  default void write(ByteBuffer src, long offset) throws IOException {
    throw new ReadOnlyBufferException();
  }

  /** Throws unless {@code [offset, offset + length)} lies inside a device of {@code size} bytes. */
  static void requireInside(String op, long offset, long length, long size) {
    AbstractBlockDevice.requireInside(op, offset, length, size);
  }

  /** Makes written data durable; a no-op for read-only devices. */
  default void flush() throws IOException {}

  /**
   * Makes {@code [offset, offset + length)} read as zeros and lets the device give back the space
   * it held (a guest's TRIM, {@code fallocate} punch-hole and zero-range). Only for writable
   * devices. The default writes zeros; a device that can drop data instead overrides it.
   */
  default void discard(long offset, long length) throws IOException {
    requireInside("discard", offset, length, size());
    AbstractBlockDevice.writeZeros(this, offset, length);
  }
}
