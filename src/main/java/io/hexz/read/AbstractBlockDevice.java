package io.hexz.read;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;

/**
 * A {@link BlockDevice} whose entry points check their arguments and the device's state before
 * the implementation sees them: {@link #read(ByteBuffer, long)}, {@link #transferTo},
 * {@link #extentAt}, {@link #write} and {@link #discard} are final; each checks, then calls its
 * protected hook ({@link #readChecked}, {@link #transferChecked}, {@link #extentAtChecked},
 * {@link #writeChecked}, {@link #discardChecked}) with arguments that are known to be in range.
 *
 * <p>Why the checks live here: every device used to start each method with the same checks,
 * through a static helper ({@link BlockDevice#precheckRead}) or copied inline with their
 * messages; a device that forgot one (or ran them in another order) answered the same bad call
 * differently from its peers, which the conformance suite ({@code AbstractBlockDeviceTest}) could
 * only find one device at a time. Here the rules are written once, in one order: for reads the
 * argument rules, then the empty request (0), then the end of the device (-1), then the closed
 * state; for writes and discards whether the device is writable, then the closed state, then the
 * range. Messages state the rule and the value. The class is public because devices
 * live in other packages (the overlay); {@link BlockDevice} stays an interface, so a library user
 * may still implement it directly (its static helpers call the same checks).
 *
 * <p>What a hook may assume: the arguments obeyed the rules against {@link #size()} when the
 * check ran, and the device was open. A device whose size can change while it is in use (an
 * overlay being resized) must check the range again under the lock that the resize takes.
 *
 * <p>Concurrency: the checks keep no state; a subclass states its own thread-safety.
 */
public abstract class AbstractBlockDevice implements BlockDevice {

  /** What the device is, for messages: a file's path or a snapshot's name. */
  private final String name;

  /** A device named by its class in messages (one with no closed state of its own needs no name). */
  protected AbstractBlockDevice() {
    this.name = getClass().getSimpleName();
  }

  /** A device called {@code name} in messages: its file's path or its snapshot's name. */
  protected AbstractBlockDevice(String name) {
    this.name = name;
  }

  /**
   * Checks, then calls {@link #readChecked}: a negative offset is refused; a full {@code dst}
   * reads 0 and an offset at or past the end -1 (whatever the closed state); a closed device
   * throws.
   */
  @Override
  public final int read(ByteBuffer dst, long offset) throws IOException {
    int pre = precheck(dst, offset, size());
    if (pre <= 0) {
      return pre;
    }
    ensureOpen();
    return readChecked(dst, offset);
  }

  /**
   * Reads as {@link #read(ByteBuffer, long)} does, called with {@code 0 <= offset < size()} and
   * room in {@code dst} on an open device.
   */
  protected abstract int readChecked(ByteBuffer dst, long offset) throws IOException;

  /**
   * Checks, then calls {@link #transferChecked} with {@code length} clipped at the end: a
   * negative offset or length is refused; nothing to transfer (length 0, or at or past the end)
   * delivers 0; a closed device throws.
   */
  @Override
  public final int transferTo(long offset, int length, byte[] scratch, Sink sink) throws IOException {
    if (offset < 0 || length < 0) {
      throw new IllegalArgumentException("offset (" + offset + ") and length (" + length + ") must be >= 0");
    }
    long size = size();
    if (length == 0 || offset >= size) {
      return 0;
    }
    ensureOpen();
    return transferChecked(offset, (int) Math.min(length, size - offset), scratch, sink);
  }

  /**
   * Delivers {@code [offset, offset + length)}, which lies inside the device ({@code length > 0}),
   * to {@code sink}; returns the bytes delivered. The default reads into {@code scratch}; a
   * device that holds decoded bytes overrides it to hand them over without that copy.
   */
  protected int transferChecked(long offset, int length, byte[] scratch, Sink sink) throws IOException {
    return transferByReading(this, offset, length, scratch, sink);
  }

  /** Checks, then calls {@link #extentAtChecked} with {@code maxLength} clipped at the end. */
  @Override
  public final Extent extentAt(long offset, long maxLength) throws IOException {
    long size = size();
    requireExtent(offset, maxLength, size);
    ensureOpen();
    return extentAtChecked(offset, Math.min(maxLength, size - offset));
  }

  /**
   * The run of one allocation state from {@code offset}, at most {@code length} bytes, called
   * with {@code 0 <= offset < size()} and {@code 1 <= length <= size() - offset}. The default
   * knows nothing and calls the whole range data.
   */
  protected Extent extentAtChecked(long offset, long length) throws IOException {
    return new Extent(length, false);
  }

  /**
   * Checks, then calls {@link #writeChecked}: a device that is not writable refuses
   * ({@link #requireWritable}), a closed one throws, a range outside the device is refused.
   */
  @Override
  public final void write(ByteBuffer src, long offset) throws IOException {
    requireWritable();
    ensureOpen();
    requireInside("write", offset, src.remaining(), size());
    writeChecked(src, offset);
  }

  /**
   * Writes all of {@code src} at {@code offset}, a range inside the device, on a writable open
   * device. The default refuses: a device that says it is writable overrides it.
   */
  protected void writeChecked(ByteBuffer src, long offset) throws IOException {
    throw new ReadOnlyBufferException();
  }

  /** Checks as {@link #write} does, then calls {@link #discardChecked}. */
  @Override
  public final void discard(long offset, long length) throws IOException {
    requireWritable();
    ensureOpen();
    requireInside("discard", offset, length, size());
    discardChecked(offset, length);
  }

  /**
   * Makes {@code [offset, offset + length)}, a range inside the device, read as zeros. The
   * default writes zeros through {@link #write}; a device that can drop data overrides it.
   */
  protected void discardChecked(long offset, long length) throws IOException {
    writeZeros(this, offset, length);
  }

  /**
   * Refuses a write or discard unless {@link #isWritable()}: {@link ReadOnlyBufferException} by
   * default; a device with a typed refusal (one that names its file) overrides it.
   */
  protected void requireWritable() throws IOException {
    if (!isWritable()) {
      throw new ReadOnlyBufferException();
    }
  }

  /** Whether the device is closed; a device without a closed state of its own (a view) keeps false. */
  protected boolean isClosed() {
    return false;
  }

  /** Throws if the device is closed: the check every entry point runs after its argument checks. */
  protected final void ensureOpen() throws IOException {
    if (isClosed()) {
      throw closedException();
    }
  }

  /** The exception a closed device throws: for callers that report it otherwise (a failed future). */
  protected final IOException closedException() {
    return new IOException(name + " is closed");
  }

  // ---- the rules, shared with the static helpers and default methods of BlockDevice

  /** See {@link BlockDevice#precheckRead}. */
  static int precheck(ByteBuffer dst, long offset, long size) {
    if (offset < 0) {
      throw new IllegalArgumentException("offset (" + offset + ") must be >= 0");
    }
    if (!dst.hasRemaining()) {
      return 0;
    }
    return offset >= size ? -1 : 1;
  }

  /** Throws unless {@code offset} lies inside a device of {@code size} bytes and {@code maxLength} is positive. */
  static void requireExtent(long offset, long maxLength, long size) {
    if (offset < 0 || offset >= size || maxLength <= 0) {
      throw new IllegalArgumentException("offset (" + offset + ") must be inside the device (" + size
          + " bytes) and maxLength (" + maxLength + ") positive");
    }
  }

  /** Reads {@code [offset, offset + length)} of {@code d} into {@code scratch} and hands it to {@code sink}. */
  static int transferByReading(BlockDevice d, long offset, int length, byte[] scratch, Sink sink) throws IOException {
    ByteBuffer bb = ByteBuffer.wrap(scratch, 0, length);
    while (bb.hasRemaining()) {
      if (d.read(bb, offset + bb.position()) < 0) {
        break;
      }
    }
    sink.bytes(scratch, 0, bb.position());
    return bb.position();
  }

  /** Writes zeros over {@code [offset, offset + length)} of {@code d}, a MiB at a time. */
  static void writeZeros(BlockDevice d, long offset, long length) throws IOException {
    byte[] zeros = new byte[(int) Math.min(length, 1 << 20)];
    for (long done = 0; done < length; ) {
      int n = (int) Math.min(zeros.length, length - done);
      d.write(ByteBuffer.wrap(zeros, 0, n), offset + done);
      done += n;
    }
  }

  /** See {@link BlockDevice#requireInside}. */
  static void requireInside(String op, long offset, long length, long size) {
    if (offset < 0 || length < 0 || offset > size || length > size - offset) {
      throw new IllegalArgumentException(op + " of " + length + " bytes at " + offset
          + " runs past the end of the device (" + size + " bytes)");
    }
  }
}
