package io.hexz.read;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/** Fills buffers with zeros without allocating. Stateless, thread-safe. */
final class Zeros {
  private static final byte[] ZERO = new byte[64 * 1024];

  private Zeros() {}

  /** The CRC32C of {@code length} zero bytes, as a ZERO entry records it. */
  static int crc32c(int length) {
    CRC32C c = new CRC32C();
    for (int left = length; left > 0; left -= ZERO.length) {
      c.update(ZERO, 0, Math.min(left, ZERO.length));
    }
    return (int) c.getValue();
  }

  static void fill(ByteBuffer dst, int length) {
    int left = length;
    while (left > 0) {
      int n = Math.min(left, ZERO.length);
      dst.put(ZERO, 0, n);
      left -= n;
    }
  }
}
