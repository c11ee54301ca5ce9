package io.hexz.write;

import io.hexz.codec.CodecType;
import java.util.Locale;

/** How hard the compressor tries; mapped to a level per codec. Immutable. */
public enum Effort {
  FAST,
  BALANCED,
  TIGHT;

  /** The codec level this effort means for {@code codec}. */
  public int level(CodecType codec) {
    switch (codec) {
      case LZ4:
        // 0 is lz4-java's fast compressor; 1..17 are LZ4-HC levels.
        return this == FAST ? 0 : this == BALANCED ? 0 : 9;
      case ZSTD:
        return this == FAST ? 1 : this == BALANCED ? 3 : 19;
      default:
        return 0;
    }
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
