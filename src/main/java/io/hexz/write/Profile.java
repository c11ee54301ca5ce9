package io.hexz.write;

import io.hexz.codec.CodecType;
import java.util.Locale;

/** Named presets of block size, codec and effort for common kinds of data. Immutable. */
public enum Profile {
  /** Model weights and datasets: big blocks, fastest decode. */
  ML(128 << 10, CodecType.LZ4, Effort.FAST),
  /** Chip-design trees: many mid-size files. */
  EDA(64 << 10, CodecType.LZ4, Effort.BALANCED),
  /** Small firmware images where size matters most. */
  EMBEDDED(32 << 10, CodecType.ZSTD, Effort.TIGHT),
  /** Disk images in general: the default. */
  GENERIC(64 << 10, CodecType.LZ4, Effort.BALANCED),
  /** Long-term storage: smallest files. */
  ARCHIVAL(256 << 10, CodecType.ZSTD, Effort.TIGHT);

  private final int blockSize;
  private final CodecType codec;
  private final Effort effort;

  Profile(int blockSize, CodecType codec, Effort effort) {
    this.blockSize = blockSize;
    this.codec = codec;
    this.effort = effort;
  }

  public int blockSize() {
    return blockSize;
  }

  public CodecType codec() {
    return codec;
  }

  public Effort effort() {
    return effort;
  }

  public static Profile parse(String name) {
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown profile '" + name
          + "' (expected ml, eda, embedded, generic or archival)");
    }
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
