package io.hexz.format;

import io.hexz.codec.CodecType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

/**
 * The fixed 4 KiB header at offset 0 of every snapshot. Immutable; {@link #decode} checks magic,
 * version, feature flags, CRC and every bound before anything else trusts a field.
 *
 * <pre>
 * Header      := magic[8] major:u16 minor:u16 incompat:u32 compat:u32
 *                blockShift:u8 codec:u8 level:u8 reserved:u8
 *                fileLength:u64 metaOffset:u64 metaLength:u32 metaCrc:u32
 *                identity[32] parentIdentity[32] parentHintLength:u16 reserved[14]
 *                StreamDesc[2] reserved[32] parentHint[1024]
 *                TreeStreams Encryption[256] zero[256] Signature[256] zero[1788] headerCrc:u32
 * TreeStreams := StreamDesc(manifest) zero[208]       -- bytes 1280..1535; kindId 3 iff flag TREE
 * StreamDesc  := kindId:u8 depth:u8 reserved:u16 rootLength:u32 rootOffset:u64 size:u64
 *                storedBytes:u64 rootCrc:u32 reserved[12]
 * Encryption  := see {@link EncryptionInfo}; meaningful only with incompatible flag ENCRYPTED
 * Signature   := see {@link SignatureInfo}; meaningful only with compatible flag SIGNED
 * </pre>
 * All integers little-endian. See FORMAT.md.
 *
 * <p>In an encrypted snapshot {@code identity} is not the content identity but an opaque,
 * per-snapshot keyed hash of it (the real one is sealed in the key check), so a clear header does
 * not reveal which known image a file holds; thin children record that opaque value as
 * {@code parentIdentity}. Metadata and index roots are sealed, so their lengths include a
 * {@link Format#TAG_SIZE}-byte tag.
 */
public record Header(
    int versionMajor,
    int versionMinor,
    int incompatFlags,
    int compatFlags,
    int blockShift,
    CodecType codec,
    int level,
    long fileLength,
    long metadataOffset,
    int metadataLength,
    int metadataCrc,
    byte[] identity,
    byte[] parentIdentity,
    String parentHint,
    Map<StreamKind, StreamDescriptor> streams,
    EncryptionInfo encryption,
    SignatureInfo signature) {

  /** A header without encryption or signature. */
  public Header(int versionMajor, int versionMinor, int incompatFlags, int compatFlags, int blockShift,
      CodecType codec, int level, long fileLength, long metadataOffset, int metadataLength, int metadataCrc,
      byte[] identity, byte[] parentIdentity, String parentHint, Map<StreamKind, StreamDescriptor> streams) {
    this(versionMajor, versionMinor, incompatFlags, compatFlags, blockShift, codec, level, fileLength, metadataOffset,
        metadataLength, metadataCrc, identity, parentIdentity, parentHint, streams, null, null);
  }

  public Header {
    if (((incompatFlags & Format.INCOMPAT_ENCRYPTED) != 0) != (encryption != null)) {
      throw new IllegalArgumentException("the ENCRYPTED flag and the encryption block go together");
    }
    if (((compatFlags & Format.COMPAT_SIGNED) != 0) != (signature != null)) {
      throw new IllegalArgumentException("the SIGNED flag and the signature block go together");
    }
    streams = Map.copyOf(streams);
    identity = identity.clone();
    parentIdentity = parentIdentity.clone();
  }

  /** A builder for a new header: the current format version, no flags, zero identities, no streams. */
  public static HeaderBuilder builder() {
    return new HeaderBuilder();
  }

  public int blockSize() {
    return 1 << blockShift;
  }

  public boolean isThin() {
    return (incompatFlags & Format.INCOMPAT_THIN) != 0;
  }

  public boolean isEncrypted() {
    return encryption != null;
  }

  public boolean isSigned() {
    return signature != null;
  }

  /** This header with a different encryption block (the writer seals the key check last). */
  public Header withEncryption(EncryptionInfo e) {
    return new Header(versionMajor, versionMinor, incompatFlags, compatFlags, blockShift, codec, level, fileLength,
        metadataOffset, metadataLength, metadataCrc, identity, parentIdentity, parentHint, streams, e, signature);
  }

  /** Bytes a sealed structure adds: the GCM tag when encrypted, else 0. */
  public int tagSize() {
    return encryption == null ? 0 : Format.TAG_SIZE;
  }

  /** Whether this is a directory snapshot (flag TREE: a manifest stream describes a file tree). */
  public boolean isTree() {
    return (incompatFlags & Format.INCOMPAT_TREE) != 0;
  }

  @Override
  public byte[] identity() {
    return identity.clone();
  }

  @Override
  public byte[] parentIdentity() {
    return parentIdentity.clone();
  }

  /** The 4096 bytes of this header, CRC included. */
  public ByteBuffer encode() {
    ByteBuffer b = ByteBuffer.allocate(Format.HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    b.put(Format.MAGIC);
    b.putShort((short) versionMajor).putShort((short) versionMinor);
    b.putInt(incompatFlags).putInt(compatFlags);
    b.put((byte) blockShift).put((byte) codec.id()).put((byte) level).put((byte) 0);
    b.putLong(fileLength).putLong(metadataOffset).putInt(metadataLength).putInt(metadataCrc);
    b.put(identity).put(parentIdentity);
    byte[] hint = parentHint == null ? new byte[0] : parentHint.getBytes(StandardCharsets.UTF_8);
    if (hint.length > Format.PARENT_HINT_MAX) {
      throw new IllegalArgumentException("parent path hint is " + hint.length + " bytes, at most "
          + Format.PARENT_HINT_MAX + " allowed");
    }
    b.putShort((short) hint.length);
    for (StreamKind k : StreamKind.values()) {
      StreamDescriptor d = streams.get(k);
      int at = Format.descriptorOffset(k.slot());
      if (d == null) {
        continue;
      }
      b.put(at, (byte) k.id()).put(at + 1, (byte) d.indexDepth());
      b.putInt(at + 4, d.rootLength()).putLong(at + 8, d.rootOffset());
      b.putLong(at + 16, d.size()).putLong(at + 24, d.storedBytes()).putInt(at + 32, d.rootCrc());
    }
    b.put(Format.PARENT_HINT_OFFSET, hint);
    if (encryption != null) {
      encryption.encodeInto(b);
    }
    if (signature != null) {
      signature.encodeInto(b);
    }
    b.putInt(Format.HEADER_CRC_OFFSET, Checksums.crc32c(b.array(), 0, Format.HEADER_CRC_OFFSET));
    b.clear();
    return b;
  }

  /**
   * Parses and checks a header.
   *
   * @param file name used in errors
   * @param buf at least {@link Format#HEADER_SIZE} bytes from offset 0 of the file
   * @param actualLength the file's real length, to detect truncation before anything is read
   */
  public static Header decode(String file, ByteBuffer buf, long actualLength) throws SnapshotException {
    if (buf.remaining() < Format.HEADER_SIZE) {
      throw new CorruptSnapshotException(file, "not a hexz snapshot (only " + buf.remaining()
          + " bytes, a header is " + Format.HEADER_SIZE + ")");
    }
    ByteBuffer b = buf.slice().order(ByteOrder.LITTLE_ENDIAN);
    byte[] magic = new byte[8];
    b.get(0, magic);
    if (!Arrays.equals(magic, Format.MAGIC)) {
      throw new CorruptSnapshotException(file, "not a hexz snapshot (bad magic)");
    }
    int major = Short.toUnsignedInt(b.getShort(8));
    int minor = Short.toUnsignedInt(b.getShort(10));
    byte[] raw = new byte[Format.HEADER_SIZE];
    b.get(0, raw);
    int stored = b.getInt(Format.HEADER_CRC_OFFSET);
    int actual = Checksums.crc32c(raw, 0, Format.HEADER_CRC_OFFSET);
    // The version is checked before the CRC so that a newer layout gets the right message, and
    // only trusted as "newer" when the CRC agrees (a flipped bit is damage, not a future version).
    if (stored != actual) {
      throw new CorruptSnapshotException(file, String.format(
          "header checksum mismatch (stored %08x, computed %08x): damaged header", stored, actual));
    }
    if (major != Format.VERSION_MAJOR) {
      throw new SnapshotFormatTooNewException(file, "format version " + major + "." + minor
          + " was made by a newer hexz (this one reads " + Format.VERSION_MAJOR + ".x)");
    }
    int incompat = b.getInt(12);
    int unknown = incompat & ~Format.INCOMPAT_KNOWN;
    if (unknown != 0) {
      throw new SnapshotFormatTooNewException(file, String.format(
          "uses incompatible features 0x%x: made by a newer hexz", unknown));
    }
    int compat = b.getInt(16);
    boolean encrypted = (incompat & Format.INCOMPAT_ENCRYPTED) != 0;
    // Sealed structures carry a GCM tag: every stored length may be that much longer.
    int tag = encrypted ? Format.TAG_SIZE : 0;
    int shift = Byte.toUnsignedInt(b.get(20));
    if (shift < Format.MIN_BLOCK_SHIFT || shift > Format.MAX_BLOCK_SHIFT) {
      throw new CorruptSnapshotException(file, "block size 2^" + shift + " is outside 4 KiB..1 MiB");
    }
    CodecType codec = CodecType.fromId(Byte.toUnsignedInt(b.get(21)));
    if (codec == null) {
      throw new CorruptSnapshotException(file, "unknown codec id " + b.get(21));
    }
    int level = b.get(22);
    long fileLength = b.getLong(24);
    if (fileLength != actualLength) {
      throw new CorruptSnapshotException(file, "file is " + actualLength + " bytes but its header says "
          + fileLength + (actualLength < fileLength ? " (truncated?)" : " (trailing garbage?)"));
    }
    long metaOffset = b.getLong(32);
    int metaLength = b.getInt(40);
    int metaCrc = b.getInt(44);
    if (metaLength < 0 || metaLength > Format.MAX_METADATA_SIZE + tag) {
      throw new CorruptSnapshotException(file, "metadata length " + Integer.toUnsignedString(metaLength)
          + " exceeds the " + (Format.MAX_METADATA_SIZE + tag) + "-byte limit");
    }
    checkRange(file, "metadata", metaOffset, metaLength, fileLength);
    byte[] identity = new byte[Format.HASH_SIZE];
    byte[] parent = new byte[Format.HASH_SIZE];
    b.get(48, identity);
    b.get(80, parent);
    int hintLength = Short.toUnsignedInt(b.getShort(112));
    if (hintLength > Format.PARENT_HINT_MAX) {
      throw new CorruptSnapshotException(file, "parent hint length " + hintLength + " exceeds "
          + Format.PARENT_HINT_MAX);
    }
    byte[] hint = new byte[hintLength];
    b.get(Format.PARENT_HINT_OFFSET, hint);
    boolean thin = (incompat & Format.INCOMPAT_THIN) != 0;
    if (thin == isZero(parent)) {
      throw new CorruptSnapshotException(file, thin ? "thin snapshot without a parent identity"
          : "parent identity set but the thin flag is not");
    }
    Map<StreamKind, StreamDescriptor> streams = new EnumMap<>(StreamKind.class);
    for (StreamKind k : StreamKind.values()) {
      int at = Format.descriptorOffset(k.slot());
      int kindId = Byte.toUnsignedInt(b.get(at));
      if (kindId == 0) {
        continue;
      }
      if (kindId != k.id()) {
        throw new CorruptSnapshotException(file, "stream slot " + k.slot() + " holds kind " + kindId);
      }
      int depth = Byte.toUnsignedInt(b.get(at + 1));
      int rootLength = b.getInt(at + 4);
      long rootOffset = b.getLong(at + 8);
      long size = b.getLong(at + 16);
      long storedBytes = b.getLong(at + 24);
      int rootCrc = b.getInt(at + 32);
      if (size < 0 || size > Format.MAX_STREAM_SIZE) {
        throw new CorruptSnapshotException(file, k + " stream size " + size + " is out of range");
      }
      long blocks = Format.ceilDiv(size, 1L << shift);
      int expectedDepth = Format.indexDepth(blocks);
      if (depth != expectedDepth) {
        throw new CorruptSnapshotException(file, k + " index depth " + depth + " does not match its size ("
            + expectedDepth + " expected)");
      }
      if (depth > 0) {
        int rootLevel = depth - 1;
        long perEntry = Format.blocksPerEntry(rootLevel);
        int rootCount = (int) Format.ceilDiv(blocks, perEntry);
        if (rootLength < Format.PAGE_ENVELOPE_SIZE + tag
            || rootLength > IndexPage.maxStoredSize(rootLevel, rootCount) + tag) {
          throw new CorruptSnapshotException(file, k + " index root length " + rootLength + " is wrong");
        }
        checkRange(file, k + " index root", rootOffset, rootLength, fileLength);
      } else if (rootLength != 0 || rootOffset != 0 || rootCrc != 0 || storedBytes != 0) {
        throw new CorruptSnapshotException(file, k + " stream is empty but names an index root or stored bytes");
      }
      streams.put(k, new StreamDescriptor(k, size, depth, rootOffset, rootLength, storedBytes, rootCrc));
    }
    if (!streams.containsKey(StreamKind.DISK)) {
      throw new CorruptSnapshotException(file, "has no disk stream");
    }
    EncryptionInfo enc = encrypted ? EncryptionInfo.decode(file, b) : null;
    SignatureInfo sig = (compat & Format.COMPAT_SIGNED) != 0 ? SignatureInfo.decode(file, b) : null;
    boolean tree = (incompat & Format.INCOMPAT_TREE) != 0;
    if (tree != streams.containsKey(StreamKind.MANIFEST)) {
      throw new CorruptSnapshotException(file, tree ? "directory snapshot without a manifest stream"
          : "manifest stream present but the tree flag is not set");
    }
    return new Header(major, minor, incompat, compat, shift, codec, level, fileLength, metaOffset,
        metaLength, metaCrc, identity, parent, new String(hint, StandardCharsets.UTF_8), streams, enc, sig);
  }

  /** Throws unless [offset, offset+length) lies inside the file after the header. */
  public static void checkRange(String file, String what, long offset, long length, long fileLength)
      throws CorruptSnapshotException {
    if (length < 0 || offset < Format.HEADER_SIZE || offset > fileLength || length > fileLength - offset) {
      throw new CorruptSnapshotException(file, what + " at offset " + offset + " length " + length
          + " lies outside the file (" + fileLength + " bytes): truncated or damaged");
    }
  }

  static boolean isZero(byte[] b) {
    for (byte x : b) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }
}
