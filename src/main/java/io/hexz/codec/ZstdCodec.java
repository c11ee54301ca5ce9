package io.hexz.codec;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;

/**
 * Zstandard codec. Contexts are kept per thread because creating one per block costs more than
 * compressing a small block. Thread-safe.
 */
final class ZstdCodec implements Codec {
  private final int level;
  private final ThreadLocal<ZstdCompressCtx> cctx;
  private static final ThreadLocal<ZstdDecompressCtx> DCTX = ThreadLocal.withInitial(ZstdDecompressCtx::new);

  ZstdCodec(int level) {
    if (level < 1 || level > Zstd.maxCompressionLevel()) {
      throw new IllegalArgumentException(
          "zstd level (" + level + ") must be between 1 and " + Zstd.maxCompressionLevel());
    }
    this.level = level;
    this.cctx = ThreadLocal.withInitial(() -> {
      ZstdCompressCtx c = new ZstdCompressCtx();
      c.setLevel(level);
      c.setChecksum(false);
      c.setContentSize(false);
      return c;
    });
  }

  @Override
  public CodecType type() {
    return CodecType.ZSTD;
  }

  @Override
  public int level() {
    return level;
  }

  @Override
  public int maxCompressedLength(int length) {
    return (int) Zstd.compressBound(length);
  }

  @Override
  public int compress(byte[] src, int srcOff, int length, byte[] dst, int dstOff, int maxOut) {
    try {
      int n = cctx.get().compressByteArray(dst, dstOff, maxOut, src, srcOff, length);
      return n < maxOut ? n : -1;
    } catch (ZstdException e) {
      return -1; // destination too small: not worth compressing
    }
  }

  @Override
  public void decompress(byte[] src, int srcOff, int length, byte[] dst, int dstOff, int originalLength)
      throws CodecException {
    int n;
    try {
      n = DCTX.get().decompressByteArray(dst, dstOff, originalLength, src, srcOff, length);
    } catch (ZstdException | ArrayIndexOutOfBoundsException e) {
      throw new CodecException("zstd payload is malformed: " + e.getMessage(), e);
    }
    if (n != originalLength) {
      throw new CodecException("zstd payload decoded to " + n + " bytes, expected " + originalLength);
    }
  }
}
