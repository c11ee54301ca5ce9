package io.hexz.codec;

import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * LZ4 block codec. Only the safe decompressor is used: it bounds every write by the destination
 * length, so a hostile payload cannot write outside the block buffer. Thread-safe (lz4-java
 * compressors and decompressors are stateless).
 */
final class Lz4Codec implements Codec {
  private static final LZ4Factory FACTORY = LZ4Factory.fastestInstance();

  private final int level;
  private final LZ4Compressor compressor;
  private final LZ4SafeDecompressor decompressor = FACTORY.safeDecompressor();

  private Lz4Codec(int level, LZ4Compressor compressor) {
    this.level = level;
    this.compressor = compressor;
  }

  static Lz4Codec create(int level) {
    if (level < 0 || level > 17) {
      throw new IllegalArgumentException("lz4 level (" + level + ") must be 0 (fast) or 1..17 (HC)");
    }
    return new Lz4Codec(level, level == 0 ? FACTORY.fastCompressor() : FACTORY.highCompressor(level));
  }

  @Override
  public CodecType type() {
    return CodecType.LZ4;
  }

  @Override
  public int level() {
    return level;
  }

  @Override
  public int maxCompressedLength(int length) {
    return compressor.maxCompressedLength(length);
  }

  @Override
  public int compress(byte[] src, int srcOff, int length, byte[] dst, int dstOff, int maxOut) {
    try {
      int n = compressor.compress(src, srcOff, length, dst, dstOff, maxOut);
      return n < maxOut ? n : -1;
    } catch (LZ4Exception e) {
      return -1; // did not fit in maxOut: the caller stores the block raw
    }
  }

  @Override
  public void decompress(byte[] src, int srcOff, int length, byte[] dst, int dstOff, int originalLength)
      throws CodecException {
    int n;
    try {
      n = decompressor.decompress(src, srcOff, length, dst, dstOff, originalLength);
    } catch (LZ4Exception | ArrayIndexOutOfBoundsException e) {
      throw new CodecException("lz4 payload is malformed: " + e.getMessage(), e);
    }
    if (n != originalLength) {
      throw new CodecException("lz4 payload decoded to " + n + " bytes, expected " + originalLength);
    }
  }
}
