package io.hexz.format;

import io.hexz.codec.CodecType;
import java.util.Map;

/**
 * Assembles a header field by field (the writer's side; {@link Header#decode} is the reader's).
 * Header's constructor checks what it checks for every header; {@link #build} adds only that a
 * codec was given.
 */
public final class HeaderBuilder {
  private int versionMajor = Format.VERSION_MAJOR;
  private int versionMinor = Format.VERSION_MINOR;
  private int incompatFlags;
  private int compatFlags;
  private int blockShift;
  private CodecType codec;
  private int level;
  private long fileLength;
  private long metadataOffset;
  private int metadataLength;
  private int metadataCrc;
  private byte[] identity = new byte[Format.HASH_SIZE];
  private byte[] parentIdentity = new byte[Format.HASH_SIZE];
  private String parentHint = "";
  private Map<StreamKind, StreamDescriptor> streams = Map.of();
  private EncryptionInfo encryption;
  private SignatureInfo signature;

  HeaderBuilder() {}

  public HeaderBuilder version(int major, int minor) {
    this.versionMajor = major;
    this.versionMinor = minor;
    return this;
  }

  /** The incompatible and compatible feature flags ({@code Format.INCOMPAT_*}, {@code Format.COMPAT_*}). */
  public HeaderBuilder flags(int incompat, int compat) {
    this.incompatFlags = incompat;
    this.compatFlags = compat;
    return this;
  }

  /** The block size as a power of two: log2 of the block size. */
  public HeaderBuilder blockShift(int shift) {
    this.blockShift = shift;
    return this;
  }

  public HeaderBuilder codec(CodecType codec, int level) {
    this.codec = codec;
    this.level = level;
    return this;
  }

  public HeaderBuilder fileLength(long length) {
    this.fileLength = length;
    return this;
  }

  /** Where the (stored, maybe sealed) metadata is, and the CRC32C of its stored bytes. */
  public HeaderBuilder metadata(long offset, int length, int crc) {
    this.metadataOffset = offset;
    this.metadataLength = length;
    this.metadataCrc = crc;
    return this;
  }

  public HeaderBuilder identity(byte[] identity) {
    this.identity = identity;
    return this;
  }

  /** A thin snapshot's parent: its identity and the path hint where to look for it. */
  public HeaderBuilder parent(byte[] identity, String hint) {
    this.parentIdentity = identity;
    this.parentHint = hint;
    return this;
  }

  public HeaderBuilder streams(Map<StreamKind, StreamDescriptor> streams) {
    this.streams = streams;
    return this;
  }

  public HeaderBuilder encryption(EncryptionInfo encryption) {
    this.encryption = encryption;
    return this;
  }

  public HeaderBuilder signature(SignatureInfo signature) {
    this.signature = signature;
    return this;
  }

  public Header build() {
    if (codec == null) {
      throw new IllegalStateException("a header needs a codec (HeaderBuilder.codec)");
    }
    return new Header(versionMajor, versionMinor, incompatFlags, compatFlags, blockShift, codec, level, fileLength,
        metadataOffset, metadataLength, metadataCrc, identity, parentIdentity, parentHint, streams, encryption,
        signature);
  }
}
