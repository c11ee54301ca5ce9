package io.hexz.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One page of a stream's block index, as bytes. Immutable once built; readers share instances.
 *
 * <pre>
 * StoredPage    := form:u8 (0 raw, 1 lz4) reserved[3] rawLength:u32 payload     -- what the file holds
 * Page          := magic:u32 level:u8 streamId:u8 count:u16 firstBlock:u64 Entry[count] crc:u32
 * Entry(leaf)   := kind:u8 flags:u8 reserved:u16 storedLength:u32 offset:u64 contentCrc:u32
 *                  payloadCrc:u32 sha256[32]                                 (56 bytes)
 * Entry(inner)  := childOffset:u64 childLength:u32 childCrc:u32              (16 bytes)
 * </pre>
 * Level 0 pages are leaves and describe one block per entry; a level-n page points at level n-1
 * pages. {@link #decode} checks magic, CRC and that the page is exactly the one the caller
 * expected (level, stream, first block, count), so a page read from the wrong place is caught.
 */
public final class IndexPage {
  private final ByteBuffer buf; // little-endian, position 0, the whole page
  private final int level;
  private final int count;
  private final long firstBlock;

  private IndexPage(ByteBuffer buf, int level, int count, long firstBlock) {
    this.buf = buf;
    this.level = level;
    this.count = count;
    this.firstBlock = firstBlock;
  }

  public int level() {
    return level;
  }

  public int count() {
    return count;
  }

  public long firstBlock() {
    return firstBlock;
  }

  /** Bytes of the whole page (for cache weighing). */
  public int byteSize() {
    return buf.capacity();
  }

  /** SHA-256 of the page's bytes (pins a page a signature was checked against). */
  public byte[] sha256() {
    java.security.MessageDigest d = Checksums.sha256();
    d.update(buf.duplicate().clear());
    return d.digest();
  }

  /** The CRC stored in this page's trailer (what a parent page records for it). */
  public int crc() {
    return buf.getInt(buf.capacity() - Format.PAGE_TRAILER_SIZE);
  }

  private int entryAt(int i) {
    if (i < 0 || i >= count) {
      throw new IndexOutOfBoundsException("entry " + i + " of " + count);
    }
    return Format.PAGE_HEADER_SIZE + i * (level == 0 ? Format.LEAF_ENTRY_SIZE : Format.INTERNAL_ENTRY_SIZE);
  }

  // ---- leaf accessors

  public int kindId(int i) {
    return Byte.toUnsignedInt(buf.get(entryAt(i)));
  }

  public int storedLength(int i) {
    return buf.getInt(entryAt(i) + 4);
  }

  public long offset(int i) {
    return buf.getLong(entryAt(i) + 8);
  }

  public int contentCrc(int i) {
    return buf.getInt(entryAt(i) + 16);
  }

  /** CRC32C of the stored payload bytes (0 for kinds without a payload). */
  public int payloadCrc(int i) {
    return buf.getInt(entryAt(i) + 20);
  }

  public void hash(int i, byte[] dst, int dstOff) {
    buf.get(entryAt(i) + 24, dst, dstOff, Format.HASH_SIZE);
  }

  /** Whether entry {@code i}'s SHA-256 equals {@code sha256} (32 bytes). */
  public boolean hashEquals(int i, byte[] sha256) {
    return buf.slice(entryAt(i) + 24, Format.HASH_SIZE).equals(ByteBuffer.wrap(sha256, 0, Format.HASH_SIZE));
  }

  public byte[] hash(int i) {
    byte[] h = new byte[Format.HASH_SIZE];
    hash(i, h, 0);
    return h;
  }

  // ---- internal accessors

  public long childOffset(int i) {
    return buf.getLong(entryAt(i));
  }

  public int childLength(int i) {
    return buf.getInt(entryAt(i) + 8);
  }

  public int childCrc(int i) {
    return buf.getInt(entryAt(i) + 12);
  }

  /** Builds pages; one builder per page. Not thread-safe. */
  public static final class Builder {
    private final ByteBuffer b;
    private final int level;
    private int count;

    public Builder(int level, StreamKind stream, long firstBlock) {
      this.level = level;
      int cap = level == 0 ? Format.LEAF_FANOUT : Format.INTERNAL_FANOUT;
      this.b = ByteBuffer.allocate(Format.pageSize(level, cap)).order(ByteOrder.LITTLE_ENDIAN);
      b.putInt(Format.PAGE_MAGIC).put((byte) level).put((byte) stream.id()).putShort((short) 0)
          .putLong(firstBlock);
    }

    public int count() {
      return count;
    }

    public boolean isFull() {
      return count == (level == 0 ? Format.LEAF_FANOUT : Format.INTERNAL_FANOUT);
    }

    public Builder addLeaf(BlockKind kind, int storedLength, long offset, int contentCrc, int payloadCrc,
        byte[] sha256) {
      if (level != 0 || isFull()) {
        throw new IllegalStateException("not a leaf page with room");
      }
      b.put((byte) kind.id()).put((byte) 0).putShort((short) 0).putInt(storedLength).putLong(offset)
          .putInt(contentCrc).putInt(payloadCrc).put(sha256, 0, Format.HASH_SIZE);
      count++;
      return this;
    }

    public Builder addChild(long offset, int length, int crc) {
      if (level == 0 || isFull()) {
        throw new IllegalStateException("not an internal page with room");
      }
      b.putLong(offset).putInt(length).putInt(crc);
      count++;
      return this;
    }

    /** The finished page bytes, CRC appended. */
    public byte[] finish() {
      b.putShort(6, (short) count);
      int len = b.position();
      int crc = Checksums.crc32c(b.array(), 0, len);
      b.putInt(crc);
      byte[] out = new byte[len + Format.PAGE_TRAILER_SIZE];
      System.arraycopy(b.array(), 0, out, 0, out.length);
      return out;
    }
  }

  /**
   * Wraps a finished page for storage: LZ4-compressed when that is smaller (index entries that
   * refer to the parent or to zero blocks repeat and compress to almost nothing), raw otherwise.
   */
  public static byte[] pack(byte[] raw) {
    io.hexz.codec.Codec lz4 = io.hexz.codec.Codec.shared(io.hexz.codec.CodecType.LZ4);
    byte[] out = new byte[Format.PAGE_ENVELOPE_SIZE + lz4.maxCompressedLength(raw.length)];
    int n = lz4.compress(raw, 0, raw.length, out, Format.PAGE_ENVELOPE_SIZE, raw.length);
    int form = 1;
    if (n <= 0) {
      form = 0;
      n = raw.length;
      System.arraycopy(raw, 0, out, Format.PAGE_ENVELOPE_SIZE, n);
    }
    ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).put(0, (byte) form).putInt(4, raw.length);
    return java.util.Arrays.copyOf(out, Format.PAGE_ENVELOPE_SIZE + n);
  }

  /** Largest stored form of a page with {@code count} entries at {@code level}. */
  public static int maxStoredSize(int level, int count) {
    return Format.PAGE_ENVELOPE_SIZE + Format.pageSize(level, count);
  }

  /**
   * Unwraps and checks a stored page: the CRC its parent recorded (over the stored bytes), the
   * envelope, the exact raw size, then everything {@link #decode} checks.
   */
  public static IndexPage unpack(String file, byte[] stored, int expectedLevel, StreamKind stream,
      long expectedFirst, int expectedCount, Integer expectedCrc) throws CorruptSnapshotException {
    String where = stream + " index page (level " + expectedLevel + ", block " + expectedFirst + ")";
    if (expectedCrc != null && Checksums.crc32c(stored, 0, stored.length) != expectedCrc) {
      throw new CorruptSnapshotException(file, where + " checksum mismatch: damaged index");
    }
    int rawLength = Format.pageSize(expectedLevel, expectedCount);
    if (stored.length < Format.PAGE_ENVELOPE_SIZE || stored.length > maxStoredSize(expectedLevel, expectedCount)) {
      throw new CorruptSnapshotException(file, where + " has impossible stored length " + stored.length);
    }
    ByteBuffer b = ByteBuffer.wrap(stored).order(ByteOrder.LITTLE_ENDIAN);
    int form = b.get(0);
    if (b.getInt(4) != rawLength || (form != 0 && form != 1) || b.get(1) != 0 || b.get(2) != 0 || b.get(3) != 0) {
      throw new CorruptSnapshotException(file, where + " has a damaged envelope");
    }
    int payload = stored.length - Format.PAGE_ENVELOPE_SIZE;
    byte[] raw;
    if (form == 0) {
      if (payload != rawLength) {
        throw new CorruptSnapshotException(file, where + " has length " + payload + ", expected " + rawLength);
      }
      raw = java.util.Arrays.copyOfRange(stored, Format.PAGE_ENVELOPE_SIZE, stored.length);
    } else {
      raw = new byte[rawLength];
      try {
        io.hexz.codec.Codec.shared(io.hexz.codec.CodecType.LZ4)
            .decompress(stored, Format.PAGE_ENVELOPE_SIZE, payload, raw, 0, rawLength);
      } catch (io.hexz.codec.CodecException e) {
        throw new CorruptSnapshotException(file, where + " cannot be decompressed: damaged index");
      }
    }
    return decode(file, raw, expectedLevel, stream, expectedFirst, expectedCount, null);
  }

  /**
   * Parses and checks a page read from {@code file}.
   *
   * @param expectedCrc the CRC the parent (or header) recorded, or null for the root
   */
  public static IndexPage decode(String file, byte[] page, int expectedLevel, StreamKind stream,
      long expectedFirst, int expectedCount, Integer expectedCrc) throws CorruptSnapshotException {
    String where = stream + " index page (level " + expectedLevel + ", block " + expectedFirst + ")";
    if (page.length != Format.pageSize(expectedLevel, expectedCount)) {
      throw new CorruptSnapshotException(file, where + " has length " + page.length + ", expected "
          + Format.pageSize(expectedLevel, expectedCount));
    }
    ByteBuffer b = ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN);
    int len = page.length - Format.PAGE_TRAILER_SIZE;
    int stored = b.getInt(len);
    int actual = Checksums.crc32c(page, 0, len);
    if (stored != actual || (expectedCrc != null && expectedCrc != stored)) {
      throw new CorruptSnapshotException(file, where + " checksum mismatch: damaged index");
    }
    if (b.getInt(0) != Format.PAGE_MAGIC) {
      throw new CorruptSnapshotException(file, where + " has bad magic");
    }
    int level = Byte.toUnsignedInt(b.get(4));
    int streamId = Byte.toUnsignedInt(b.get(5));
    int count = Short.toUnsignedInt(b.getShort(6));
    long first = b.getLong(8);
    if (level != expectedLevel || streamId != stream.id() || count != expectedCount || first != expectedFirst) {
      throw new CorruptSnapshotException(file, where + " is not the page expected here (found level "
          + level + ", stream " + streamId + ", block " + first + ", " + count + " entries)");
    }
    return new IndexPage(b, level, count, first);
  }
}
