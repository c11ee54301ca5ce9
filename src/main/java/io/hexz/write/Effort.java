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
        // balanced = the fast compressor: LZ4-HC level 1 took 1.5x the time for 6% less on a disk image.
        return this == FAST ? 0 : this == BALANCED ? 0 : 9;
      case ZSTD:
        // tight = 16: on a 2 GiB Debian image at 256 KiB blocks (bench-build, CPU seconds) level 16
        // was 250.5 MB in 298 s, 17 250.4 MB in 367 s, 19 249.0 MB in 506 s; mksquashfs 264.5 MB.
        return this == FAST ? 1 : this == BALANCED ? 3 : 16;
      default:
        return 0;
    }
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
