package io.hexz.codec;

import java.util.Locale;

/** Compression algorithms, with the ids they have in the file format. Immutable. */
public enum CodecType {
  /** Stored as is. */
  NONE(0),
  /** LZ4 block format (level 0 = fast compressor, 1..17 = LZ4-HC level). */
  LZ4(1),
  /** Zstandard frame (levels 1..22). */
  ZSTD(2);

  private final int id;

  CodecType(int id) {
    this.id = id;
  }

  /** The id written in the header. */
  public int id() {
    return id;
  }

  /** The type with this id, or null when the id is unknown. */
  public static CodecType fromId(int id) {
    for (CodecType t : values()) {
      if (t.id == id) {
        return t;
      }
    }
    return null;
  }

  /** Parses "lz4", "zstd" or "none" (any case). */
  public static CodecType parse(String name) {
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown compression '" + name + "' (expected lz4, zstd or none)");
    }
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
