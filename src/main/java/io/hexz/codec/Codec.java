package io.hexz.codec;

/**
 * A block compressor/decompressor. Implementations are stateless or keep per-thread state, so one
 * instance is safe to share between threads.
 */
public interface Codec {

  /** Which algorithm this is. */
  CodecType type();

  /** Compression level this instance compresses at (meaningful for zstd and lz4-hc). */
  int level();

  /** Worst-case compressed size of {@code length} input bytes. */
  int maxCompressedLength(int length);

  /**
   * Compresses {@code src[srcOff, srcOff+length)} into {@code dst} from {@code dstOff}.
   *
   * @return the compressed length, or -1 when the output would not be smaller than {@code maxOut}
   */
  int compress(byte[] src, int srcOff, int length, byte[] dst, int dstOff, int maxOut);

  /**
   * Decompresses exactly {@code originalLength} bytes. Never writes past {@code dst[dstOff +
   * originalLength)} and never allocates by a size taken from the input.
   *
   * @throws CodecException if the input is not a valid frame of exactly that size
   */
  void decompress(byte[] src, int srcOff, int length, byte[] dst, int dstOff, int originalLength)
      throws CodecException;

  /**
   * A shared instance for decoding payloads of {@code type} (decoding does not depend on the
   * level); for LZ4 it also compresses at level 0.
   */
  static Codec shared(CodecType type) {
    return Shared.get(type);
  }

  /** The codec for {@code type} at {@code level}. */
  static Codec of(CodecType type, int level) {
    switch (type) {
      case LZ4:
        return Lz4Codec.create(level);
      case ZSTD:
        return new ZstdCodec(level);
      default:
        throw new IllegalArgumentException("no codec for " + type);
    }
  }
}
