package io.hexz.format;

import io.hexz.codec.CodecType;
import java.util.Locale;

/** How one block's payload is stored, as written in an index entry. Immutable. */
public enum BlockKind {
  /** All zero bytes; no payload. */
  ZERO(0, null),
  /** Payload is the content itself. */
  RAW(1, CodecType.NONE),
  /** Payload is an LZ4 block. */
  LZ4(2, CodecType.LZ4),
  /** Payload is a zstd frame. */
  ZSTD(3, CodecType.ZSTD),
  /** No payload here: the block equals the parent snapshot's block at the same position. */
  PARENT(4, null),
  /**
   * Payload is an {@link XorPayload}: the content XOR the parent's bytes at a recorded offset,
   * byte-shuffled by element width, then compressed (ML checkpoints that changed slightly).
   */
  XOR(5, CodecType.NONE);

  private final int id;
  private final CodecType codec;

  BlockKind(int id, CodecType codec) {
    this.id = id;
    this.codec = codec;
  }

  public int id() {
    return id;
  }

  /** The codec that decodes the payload, NONE for raw, null when there is no payload. */
  public CodecType codec() {
    return codec;
  }

  /** Whether the entry's offset/length point at bytes in this file. */
  public boolean hasPayload() {
    return codec != null;
  }

  public static BlockKind fromId(int id) {
    for (BlockKind k : values()) {
      if (k.id == id) {
        return k;
      }
    }
    return null;
  }

  /** The kind that stores a payload compressed with {@code codec}. */
  public static BlockKind of(CodecType codec) {
    switch (codec) {
      case LZ4:
        return LZ4;
      case ZSTD:
        return ZSTD;
      default:
        return RAW;
    }
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
