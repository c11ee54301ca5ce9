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
   * A copy of a snapshot file whose RAW, clear block with its payload at {@code payload} holds
   * other bytes, with its CRC32C forged back: as the payload is the content, its payload CRC and
   * content CRC both still match, and only the block's SHA-256 tells.
   */
  public static byte[] forgeRawBlock(byte[] file, long payload, int blockSize) {
    byte[] b = file.clone();
    int off = Math.toIntExact(payload);
    int want = crc(b, off, blockSize);
    byte[] evil = "evil bytes served as if signed".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    System.arraycopy(evil, 0, b, off + 100, evil.length);
    force(b, off, blockSize, off + 200, want);
    return b;
  }

  /**
   * Flips bits of {@code b[patch, patch+8)} so that the CRC32C of {@code b[off, off+len)} becomes
   * {@code want}; the patch area must lie inside that range.
   */
  public static void force(byte[] b, int off, int len, int patch, int want) {
    int[] at = new int[8];
    for (int i = 0; i < 8; i++) {
      at[i] = patch + i;
    }
    force(b, at, want, x -> crc(x, off, len));
  }

  /**
   * Flips bits of the 8 bytes {@code b[at[0]], ..., b[at[7]]} so that {@code crcOf(b)} becomes
   * {@code want}. {@code crcOf} may rewrite other bytes of {@code b} first (a trailer CRC that
   * must stay right, say), as long as its result is affine in the patch bits (a CRC of bytes
   * that are XORs of patch bits and constants is).
   */
  public static void force(byte[] b, int[] at, int want, java.util.function.ToIntFunction<byte[]> crcOf) {
    int n = 64;
    int base = crcOf.applyAsInt(b);
    int diff = base ^ want;
    int[] effect = new int[n];
    for (int i = 0; i < n; i++) {
      b[at[i / 8]] ^= (byte) (1 << (i % 8));
      effect[i] = crcOf.applyAsInt(b) ^ base;
      b[at[i / 8]] ^= (byte) (1 << (i % 8));
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
        b[at[i / 8]] ^= (byte) (1 << (i % 8));
      }
    }
    if (crcOf.applyAsInt(b) != want) {
      throw new AssertionError("forging failed");
    }
  }
}
