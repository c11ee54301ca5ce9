package io.hexz.read;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A decoded block and the CRC it was checked against; its buffer is recycled through the cache's
 * pool once every holder released it (see {@link BlockCache.Counted}). Thread-safe.
 */
final class CachedBlock implements BlockCache.Counted {
  private final byte[] data;
  private final int crc;
  private final byte[] sha256; // null unless the snapshot checks hashes
  private final BlockCache owner;
  private final AtomicInteger refs = new AtomicInteger(1);

  CachedBlock(byte[] data, int crc, byte[] sha256, BlockCache owner) {
    this.data = data;
    this.crc = crc;
    this.sha256 = sha256;
    this.owner = owner;
  }

  /** The SHA-256 {@link #data} was checked against when it was loaded, or null. */
  byte[] sha256() {
    return sha256;
  }

  /** The content; valid only while the caller holds a reference. */
  byte[] data() {
    return data;
  }

  int crc() {
    return crc;
  }

  @Override
  public int weight() {
    return data.length;
  }

  @Override
  public boolean retain() {
    for (;;) {
      int r = refs.get();
      if (r <= 0) {
        return false;
      }
      if (refs.compareAndSet(r, r + 1)) {
        return true;
      }
    }
  }

  @Override
  public void release() {
    if (refs.decrementAndGet() == 0) {
      owner.recycle(data);
    }
  }
}
