package io.hexz.overlay;

/**
 * Map from 4 KiB page number to the file offset of its newest copy in the overlay log: open
 * addressing over two primitive arrays (16 bytes a slot), so memory grows with the pages written,
 * not with the image. Not thread-safe; the overlay guards it with its lock.
 */
final class PageMap {
  private long[] keys; // page + 1 (0 = empty)
  private long[] values;
  private int size;

  PageMap() {
    keys = new long[1024];
    values = new long[1024];
  }

  int size() {
    return size;
  }

  /** File offset of the page's data, or -1. */
  long get(long page) {
    long k = page + 1;
    int mask = keys.length - 1;
    for (int i = slot(k, mask); ; i = (i + 1) & mask) {
      if (keys[i] == k) {
        return values[i];
      }
      if (keys[i] == 0) {
        return -1;
      }
    }
  }

  void put(long page, long offset) {
    if ((size + 1) * 4L > keys.length * 3L) {
      grow();
    }
    long k = page + 1;
    int mask = keys.length - 1;
    for (int i = slot(k, mask); ; i = (i + 1) & mask) {
      if (keys[i] == k) {
        values[i] = offset;
        return;
      }
      if (keys[i] == 0) {
        keys[i] = k;
        values[i] = offset;
        size++;
        return;
      }
    }
  }

  /** How many pages map to {@code value}. */
  long count(long value) {
    long n = 0;
    for (int i = 0; i < keys.length; i++) {
      if (keys[i] != 0 && values[i] == value) {
        n++;
      }
    }
    return n;
  }

  /** Page numbers present, in no particular order. */
  long[] pages() {
    long[] out = new long[size];
    int n = 0;
    for (long k : keys) {
      if (k != 0) {
        out[n++] = k - 1;
      }
    }
    return out;
  }

  private void grow() {
    long[] k = keys;
    long[] v = values;
    keys = new long[k.length * 2];
    values = new long[k.length * 2];
    size = 0;
    for (int i = 0; i < k.length; i++) {
      if (k[i] != 0) {
        put(k[i] - 1, v[i]);
      }
    }
  }

  private static int slot(long k, int mask) {
    long x = k * 0x9E3779B97F4A7C15L;
    return (int) (x ^ (x >>> 32)) & mask;
  }
}
