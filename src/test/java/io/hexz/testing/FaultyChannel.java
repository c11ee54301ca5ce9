package io.hexz.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A forwarding {@link FileChannel} that injects the errors a real disk gives: a failed
 * {@code force} (EIO from writeback on thin or network storage), reported once as Linux reports
 * a writeback error once per open file, or a failed write once a number of bytes has been
 * written (ENOSPC). Thread-safe as far as its delegate is.
 */
public final class FaultyChannel extends FileChannel {
  private final FileChannel d;
  private boolean failForce; // guarded by this
  private final long writeLimit;
  private long written; // guarded by this

  /**
   * @param failForce the first {@code force} throws "Input/output error" (later ones succeed)
   * @param writeLimit writes past this many bytes in total throw "No space left on device"
   */
  public FaultyChannel(FileChannel delegate, boolean failForce, long writeLimit) {
    this.d = delegate;
    this.failForce = failForce;
    this.writeLimit = writeLimit;
  }

  private synchronized void charge(int n) throws IOException {
    if (written + n > writeLimit) {
      throw new IOException("No space left on device (injected)");
    }
    written += n;
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    return d.read(dst);
  }

  @Override
  public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
    return d.read(dsts, offset, length);
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    charge(src.remaining());
    return d.write(src);
  }

  @Override
  public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
    long n = 0;
    for (int i = offset; i < offset + length; i++) {
      n += write(srcs[i]);
    }
    return n;
  }

  @Override
  public long position() throws IOException {
    return d.position();
  }

  @Override
  public FileChannel position(long p) throws IOException {
    d.position(p);
    return this;
  }

  @Override
  public long size() throws IOException {
    return d.size();
  }

  @Override
  public FileChannel truncate(long size) throws IOException {
    d.truncate(size);
    return this;
  }

  @Override
  public void force(boolean metaData) throws IOException {
    synchronized (this) {
      if (failForce) {
        failForce = false;
        throw new IOException("Input/output error (injected)");
      }
    }
    d.force(metaData);
  }

  @Override
  public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
    return d.transferTo(position, count, target);
  }

  @Override
  public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
    throw new IOException("transferFrom is not faulted; use write");
  }

  @Override
  public int read(ByteBuffer dst, long position) throws IOException {
    return d.read(dst, position);
  }

  @Override
  public int write(ByteBuffer src, long position) throws IOException {
    charge(src.remaining());
    return d.write(src, position);
  }

  @Override
  public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
    return d.map(mode, position, size);
  }

  @Override
  public FileLock lock(long position, long size, boolean shared) throws IOException {
    return d.lock(position, size, shared);
  }

  @Override
  public FileLock tryLock(long position, long size, boolean shared) throws IOException {
    return d.tryLock(position, size, shared);
  }

  @Override
  protected void implCloseChannel() throws IOException {
    d.close();
  }
}
