package io.hexz.testing;

import java.util.zip.CRC32C;

/**
 * Makes a changed byte range have its old CRC32C again by flipping chosen bits of a patch area
 * (CRC is linear over GF(2), so the bit flips that cancel a difference solve a 32x64 system).
 * Shows what a CRC cannot do against a deliberate change, and so what only the signed SHA-256
 * catches. Stateless.
 */
public final class Crc32cForger {
  private Crc32cForger() {}

  public static int crc(byte[] b, int off, int len) {
    CRC32C c = new CRC32C();
    c.update(b, off, len);
    return (int) c.getValue();
  }

  /**
   * Flips bits of {@code b[patch, patch+8)} so that the CRC32C of {@code b[off, off+len)} becomes
   * {@code want}; the patch area must lie inside that range.
   */
  public static void force(byte[] b, int off, int len, int patch, int want) {
    int diff = crc(b, off, len) ^ want;
    int n = 64;
    int[] effect = new int[n];
    int base = crc(b, off, len);
    for (int i = 0; i < n; i++) {
      b[patch + i / 8] ^= (byte) (1 << (i % 8));
      effect[i] = crc(b, off, len) ^ base;
      b[patch + i / 8] ^= (byte) (1 << (i % 8));
    }
    // Gaussian elimination: rows = candidate bits with their effect and which bits make it up.
    long[] combo = new long[n];
    for (int i = 0; i < n; i++) {
      combo[i] = 1L << i;
    }
    int rank = 0;
    for (int bit = 31; bit >= 0 && rank < n; bit--) {
      int pivot = -1;
      for (int r = rank; r < n; r++) {
        if ((effect[r] >>> bit & 1) != 0) {
          pivot = r;
          break;
        }
      }
      if (pivot < 0) {
        continue;
      }
      int te = effect[pivot];
      effect[pivot] = effect[rank];
      effect[rank] = te;
      long tc = combo[pivot];
      combo[pivot] = combo[rank];
      combo[rank] = tc;
      for (int r = 0; r < n; r++) {
        if (r != rank && (effect[r] >>> bit & 1) != 0) {
          effect[r] ^= effect[rank];
          combo[r] ^= combo[rank];
        }
      }
      rank++;
    }
    long flips = 0;
    int d = diff;
    for (int r = 0; r < rank; r++) {
      int top = 31 - Integer.numberOfLeadingZeros(effect[r]);
      if ((d >>> top & 1) != 0) {
        d ^= effect[r];
        flips ^= combo[r];
      }
    }
    if (d != 0) {
      throw new AssertionError("no combination of the patch bits reaches the CRC");
    }
    for (int i = 0; i < n; i++) {
      if ((flips >>> i & 1) != 0) {
        b[patch + i / 8] ^= (byte) (1 << (i % 8));
      }
    }
    if (crc(b, off, len) != want) {
      throw new AssertionError("forging failed");
    }
  }
}
