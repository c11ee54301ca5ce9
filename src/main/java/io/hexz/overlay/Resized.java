package io.hexz.overlay;

import io.hexz.read.AbstractBlockDevice;
import io.hexz.read.BlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The base as a resized overlay sees it: the base's bytes up to the base's end, zeros after it up
 * to the overlay's size (a disk grown past its base reads zeros there). Shrinking needs nothing
 * here: the overlay never reads past its own size. Immutable; a resize makes a new one.
 */
final class Resized extends AbstractBlockDevice {
  private static final byte[] ZEROS = new byte[64 << 10];
  private final BlockDevice base;
  private final long size;

  Resized(BlockDevice base, long size) {
    this.base = base;
    this.size = size;
  }

  /** The base itself when sizes match, else a view of it at {@code size}. */
  static BlockDevice of(BlockDevice base, long size) {
    BlockDevice inner = base instanceof Resized r ? r.base : base;
    return size == inner.size() ? inner : new Resized(inner, size);
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  protected int readChecked(ByteBuffer dst, long offset) throws IOException {
    int n = (int) Math.min(dst.remaining(), size - offset);
    long baseEnd = base.size();
    int fromBase = (int) Math.max(0, Math.min(n, baseEnd - offset));
    if (fromBase > 0) {
      int limit = dst.limit();
      dst.limit(dst.position() + fromBase);
      try {
        int got = base.read(dst, offset);
        if (got < fromBase) {
          return got; // a short read: the caller asks again for the rest
        }
      } finally {
        dst.limit(limit);
      }
    }
    for (int left = n - fromBase; left > 0; ) {
      int k = Math.min(left, ZEROS.length);
      dst.put(ZEROS, 0, k);
      left -= k;
    }
    return n;
  }

  @Override
  protected Extent extentAtChecked(long offset, long length) throws IOException {
    long baseEnd = base.size();
    if (offset >= baseEnd) {
      return new Extent(length, true);
    }
    return base.extentAt(offset, Math.min(length, baseEnd - offset));
  }

  @Override
  public void close() {}
}
