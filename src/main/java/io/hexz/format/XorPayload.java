package io.hexz.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The 24-byte header of an XOR block payload and the shuffle it uses. Stateless.
 *
 * <pre>
 * XorPayload := baseOffset:u64 xorLength:u32 baseLength:u32 elementSize:u8 innerKind:u8
 *               reserved:u16 reserved:u32 inner[storedLength - 24]
 * </pre>
 * The block's first {@code xorLength} bytes were XORed with the parent stream's bytes at
 * {@code baseOffset} (only the first {@code baseLength} of them; the rest with zero), then the
 * first {@code xorLength / elementSize * elementSize} bytes were byte-shuffled (all first bytes
 * of each element, then all second bytes, ...). {@code inner} is the whole block after that
 * transform, stored as {@code innerKind} (RAW, LZ4 or ZSTD).
 */
public record XorPayload(long baseOffset, int xorLength, int baseLength, int elementSize, BlockKind inner) {
  public static final int HEADER_SIZE = 24;

  public void encode(byte[] dst) {
    ByteBuffer b = ByteBuffer.wrap(dst, 0, HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(baseOffset).putInt(xorLength).putInt(baseLength).put((byte) elementSize).put((byte) inner.id())
        .putShort((short) 0).putInt(0);
  }

  /** Parses and bounds-checks a header for a block of {@code blockLength} bytes; null if invalid. */
  public static XorPayload decode(byte[] src, int blockLength) {
    if (src.length < HEADER_SIZE) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(src).order(ByteOrder.LITTLE_ENDIAN);
    long off = b.getLong(0);
    int xl = b.getInt(8);
    int bl = b.getInt(12);
    int es = b.get(16);
    BlockKind inner = BlockKind.fromId(b.get(17));
    boolean ok = off >= 0 && xl > 0 && xl <= blockLength && bl >= 0 && bl <= xl
        && (es == 1 || es == 2 || es == 4 || es == 8)
        && (inner == BlockKind.RAW || inner == BlockKind.LZ4 || inner == BlockKind.ZSTD);
    return ok ? new XorPayload(off, xl, bl, es, inner) : null;
  }

  /** Byte-shuffles the first {@code n / es * es} bytes of {@code src} into {@code dst}. */
  public static void shuffle(byte[] src, byte[] dst, int n, int es) {
    int count = n / es;
    for (int e = 0; e < count; e++) {
      for (int k = 0; k < es; k++) {
        dst[k * count + e] = src[e * es + k];
      }
    }
    System.arraycopy(src, count * es, dst, count * es, n - count * es);
  }

  /** Inverse of {@link #shuffle}. */
  public static void unshuffle(byte[] src, byte[] dst, int n, int es) {
    int count = n / es;
    for (int e = 0; e < count; e++) {
      for (int k = 0; k < es; k++) {
        dst[e * es + k] = src[k * count + e];
      }
    }
    System.arraycopy(src, count * es, dst, count * es, n - count * es);
  }
}
