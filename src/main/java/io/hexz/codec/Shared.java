package io.hexz.codec;

/** One codec per algorithm for decoding, created once. Thread-safe (the codecs are). */
final class Shared {
  private static final Codec LZ4 = Lz4Codec.create(0);
  private static final Codec ZSTD = new ZstdCodec(3);

  private Shared() {}

  static Codec get(CodecType t) {
    switch (t) {
      case LZ4:
        return LZ4;
      case ZSTD:
        return ZSTD;
      default:
        throw new IllegalArgumentException("no codec for " + t);
    }
  }
}
