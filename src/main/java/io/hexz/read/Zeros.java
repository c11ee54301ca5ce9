package io.hexz.read;

import java.nio.ByteBuffer;

/** Fills buffers with zeros without allocating. Stateless, thread-safe. */
final class Zeros {
  private static final byte[] ZERO = new byte[64 * 1024];

  private Zeros() {}

  static void fill(ByteBuffer dst, int length) {
    int left = length;
    while (left > 0) {
      int n = Math.min(left, ZERO.length);
      dst.put(ZERO, 0, n);
      left -= n;
    }
  }
}
