package io.hexz.read;

import io.hexz.crypto.SnapshotCipher;
import io.hexz.format.CorruptSnapshotException;
import io.hexz.format.Format;
import io.hexz.format.Header;
import io.hexz.format.IndexPage;
import io.hexz.format.StreamDescriptor;
import io.hexz.format.StreamKind;
import io.hexz.store.ByteSource;
import java.io.IOException;

/**
 * The block index of one stream of a snapshot file: finds the leaf page that holds a block's
 * entry. The root page is read and checked at open and held; inner and leaf pages are read on
 * demand (length bounded, range-checked, CRC32C, opened with the file's key if it is encrypted)
 * and kept in the shared {@link BlockCache}. When hashes are checked, every leaf page read is
 * held to the SHA-256 it had when first read ({@link LeafPins}), so a page evicted and read again
 * is the page that was checked.
 *
 * <p>Concurrency: thread-safe (immutable; the cache and the pins are thread-safe).
 */
final class StreamIndex {
  private final long id;
  private final ByteSource source;
  private final String name;
  private final Header header;
  private final SnapshotCipher cipher; // null unless encrypted
  private final BlockCache cache;
  private final LeafPins pinnedLeaves; // null unless hashes are checked
  private final StreamKind kind;
  private final long blocks;
  private final int depth;
  private final IndexPage root; // null when the stream has no blocks

  /** The index of stream {@code d} (of {@code blocks} blocks) of {@code layer}; reads its root page. */
  StreamIndex(StreamReader.Layer layer, StreamDescriptor d, long blocks) throws IOException {
    this.id = layer.id();
    this.source = layer.source();
    this.name = source.name();
    this.header = layer.header();
    this.cipher = layer.cipher();
    this.cache = layer.cache();
    this.pinnedLeaves = layer.pins();
    this.kind = d.kind();
    this.blocks = blocks;
    this.depth = d.indexDepth();
    if (depth == 0) {
      this.root = null;
    } else {
      int level = depth - 1;
      int count = (int) Format.ceilDiv(blocks, Format.blocksPerEntry(level));
      this.root = readPage(d.rootOffset(), d.rootLength(), level, kind, 0, count, d.rootCrc());
    }
  }

  /** The leaf page holding block {@code b}'s entry. */
  IndexPage leafFor(long b) throws IOException {
    if (b < 0 || b >= blocks) {
      throw new IllegalArgumentException("block " + b + " outside 0.." + (blocks - 1));
    }
    IndexPage page = root;
    for (int level = depth - 1; level > 0; level--) {
      long per = Format.blocksPerEntry(level);
      int i = (int) ((b - page.firstBlock()) / per);
      long childFirst = page.firstBlock() + i * per;
      int childLevel = level - 1;
      int childCount = (int) Math.min(childLevel == 0 ? Format.LEAF_FANOUT : Format.INTERNAL_FANOUT,
          Format.ceilDiv(blocks - childFirst, Format.blocksPerEntry(childLevel)));
      IndexPage parentPage = page;
      int idx = i;
      page = cache.get(new PageKey(id, kind.id(), childLevel, childFirst), () -> {
        long off = parentPage.childOffset(idx);
        int len = parentPage.childLength(idx);
        if (len < Format.PAGE_ENVELOPE_SIZE + header.tagSize()
            || len > IndexPage.maxStoredSize(childLevel, childCount) + header.tagSize()) {
          throw new CorruptSnapshotException(name, kind + " index page for block " + childFirst
              + " has impossible length " + Integer.toUnsignedString(len));
        }
        Header.checkRange(name, kind + " index page for block " + childFirst, off, len, header.fileLength());
        return new CachedPage(readPage(off, len, childLevel, kind, childFirst, childCount,
            parentPage.childCrc(idx)));
      }).page();
    }
    return page;
  }

  /** A stored index page read from the file: opened if encrypted, then unpacked and checked. */
  private IndexPage readPage(long off, int len, int level, StreamKind kind, long first, int count, int crc)
      throws IOException {
    byte[] stored = SnapshotOpener.readAt(source, off, len);
    Integer expected = crc;
    if (cipher != null) {
      stored = SnapshotOpener.unseal(name, kind + " index page (level " + level + ", block " + first + ")", cipher,
          SnapshotCipher.Domain.INDEX, off, stored, crc);
      expected = null; // checked over the sealed bytes
    }
    IndexPage page = IndexPage.unpack(name, stored, level, kind, first, count, expected);
    if (level == 0 && pinnedLeaves != null) {
      pinnedLeaves.check(kind, page);
    }
    return page;
  }

  /** Cache key of an index page. */
  private record PageKey(long file, int stream, int level, long first) {}

  private record CachedPage(IndexPage page) implements BlockCache.Weighed {
    @Override
    public int weight() {
      return page.byteSize();
    }
  }
}
