package io.hexz.format;

/** Constants of the .hxz file format; FORMAT.md is the normative description. */
public final class Format {
  private Format() {}

  /** First eight bytes of every snapshot: 0x89 'H' 'X' 'Z' '\r' '\n' 0x1A '\n'. */
  public static final byte[] MAGIC = {(byte) 0x89, 'H', 'X', 'Z', '\r', '\n', 0x1A, '\n'};

  public static final int VERSION_MAJOR = 1;
  public static final int VERSION_MINOR = 0;

  /** Incompatible-feature bit: blocks of kind PARENT refer to a parent snapshot. */
  public static final int INCOMPAT_THIN = 1;
  /** Incompatible-feature bit: payloads, index pages and metadata are AES-256-GCM sealed. */
  public static final int INCOMPAT_ENCRYPTED = 2;
  /** Incompatible-feature bit 2: a directory tree; the disk stream holds file contents, the manifest stream the tree. */
  public static final int INCOMPAT_TREE = 4;
  /** Every incompatible feature this version understands. */
  public static final int INCOMPAT_KNOWN = INCOMPAT_THIN | INCOMPAT_ENCRYPTED | INCOMPAT_TREE;
  /** Compatible-feature bit: the signature block holds an Ed25519 signature of the root hash. */
  public static final int COMPAT_SIGNED = 1;

  public static final int HEADER_SIZE = 4096;
  public static final int STREAM_SLOTS = 3;
  public static final int STREAM_TABLE_OFFSET = 128;
  /** Stream descriptors of directory snapshots (header bytes 1280..1535): slot 2 = manifest. */
  public static final int TREE_STREAM_TABLE_OFFSET = 1280;
  public static final int STREAM_DESCRIPTOR_SIZE = 48;
  public static final int PARENT_HINT_OFFSET = 256;
  public static final int PARENT_HINT_MAX = 1024;
  public static final int HEADER_CRC_OFFSET = HEADER_SIZE - 4;
  /** Offset of the compatible feature flags (u32) in the header. */
  public static final int COMPAT_FLAGS_OFFSET = 16;
  /** Header bytes 1536..1791: the encryption block ({@link EncryptionInfo}). */
  public static final int ENCRYPTION_OFFSET = 1536;
  public static final int ENCRYPTION_SIZE = 256;
  /** Header bytes 2048..2303: the signature block ({@link SignatureInfo}). */
  public static final int SIGNATURE_OFFSET = 2048;
  public static final int SIGNATURE_SIZE = 256;
  /** Bytes an AES-GCM tag adds to every sealed structure of an encrypted snapshot. */
  public static final int TAG_SIZE = 16;

  public static final int MIN_BLOCK_SHIFT = 12;
  public static final int MAX_BLOCK_SHIFT = 20;

  /** Bytes of a SHA-256 digest: block hashes, snapshot identity. */
  public static final int HASH_SIZE = 32;

  /** Index pages: "HXIX" magic, level, stream id, count, first block, entries, CRC32C. */
  public static final int PAGE_MAGIC = 0x58495848; // "HXIX" little-endian
  public static final int PAGE_HEADER_SIZE = 16;
  public static final int PAGE_TRAILER_SIZE = 4;
  public static final int LEAF_FANOUT = 1024;
  public static final int INTERNAL_FANOUT = 1024;
  public static final int LEAF_ENTRY_SIZE = 56;
  public static final int INTERNAL_ENTRY_SIZE = 16;
  public static final int MAX_INDEX_DEPTH = 6;
  /** Bytes before a stored index page's payload: form:u8 reserved[3] rawLength:u32. */
  public static final int PAGE_ENVELOPE_SIZE = 8;

  /** Upper bound of user-visible metadata (JSON, UTF-8). */
  public static final int MAX_METADATA_SIZE = 1 << 20;

  /** Largest stream this format describes (2^60 bytes); keeps every derived count in range. */
  public static final long MAX_STREAM_SIZE = 1L << 60;

  /** Header offset of the stream descriptor in {@code slot}: 0 and 1 in the first table, 2.. in the tree table. */
  public static int descriptorOffset(int slot) {
    return slot < 2 ? STREAM_TABLE_OFFSET + slot * STREAM_DESCRIPTOR_SIZE
        : TREE_STREAM_TABLE_OFFSET + (slot - 2) * STREAM_DESCRIPTOR_SIZE;
  }

  /** Bytes of a full leaf or internal page. */
  public static int pageSize(int level, int count) {
    int entry = level == 0 ? LEAF_ENTRY_SIZE : INTERNAL_ENTRY_SIZE;
    return PAGE_HEADER_SIZE + count * entry + PAGE_TRAILER_SIZE;
  }

  /** Number of index levels needed for {@code blocks} blocks (0 when there are none). */
  public static int indexDepth(long blocks) {
    if (blocks == 0) {
      return 0;
    }
    int depth = 1;
    long pages = ceilDiv(blocks, LEAF_FANOUT);
    while (pages > 1) {
      pages = ceilDiv(pages, INTERNAL_FANOUT);
      depth++;
    }
    return depth;
  }

  /** Number of blocks covered by one entry of a page at {@code level} (leaf entries cover 1). */
  public static long blocksPerEntry(int level) {
    long n = 1;
    for (int i = 0; i < level; i++) {
      n *= i == 0 ? LEAF_FANOUT : INTERNAL_FANOUT;
    }
    return n;
  }

  public static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }
}
