package io.hexz.write;

import io.hexz.format.BlockKind;
import io.hexz.format.Format;
import io.hexz.format.IndexPage;
import io.hexz.format.StreamDescriptor;
import io.hexz.format.StreamKind;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds one stream's index bottom-up as its blocks commit: one leaf entry per block, a full leaf
 * page appended at once, and at the end of the stream the inner levels over the leaves' pointers
 * (see {@link IndexPage}). Memory: the open leaf page and one {@link PagePointer} per leaf page.
 *
 * <p>Concurrency: not thread-safe; the writer thread commits.
 */
final class IndexWriter {
  /** Where a page was stored: its offset, stored length and the CRC32C of its stored bytes. */
  record PagePointer(long offset, int length, int crc) {}

  /** Appends a page in its stored form (packed, sealed when encrypting). */
  interface PageSink {
    PagePointer append(byte[] page) throws IOException;
  }

  private final StreamKind kind;
  private final PageSink pages;
  private final List<PagePointer> leaves = new ArrayList<>();
  private IndexPage.Builder leaf;
  private long blocks;

  IndexWriter(StreamKind kind, PageSink pages) {
    this.kind = kind;
    this.pages = pages;
  }

  /** Entries added so far: the number of the block the next entry describes. */
  long blocks() {
    return blocks;
  }

  /** Adds the next block's leaf entry; appends the leaf page when it is full. */
  void add(BlockKind k, int storedLength, long offset, int crc, int payloadCrc, byte[] hash) throws IOException {
    if (leaf == null) {
      leaf = new IndexPage.Builder(0, kind, blocks);
    }
    leaf.addLeaf(k, storedLength, offset, crc, payloadCrc, hash);
    blocks++;
    if (leaf.isFull()) {
      flushLeaf();
    }
  }

  private void flushLeaf() throws IOException {
    leaves.add(pages.append(leaf.finish()));
    leaf = null;
  }

  /**
   * Appends the last leaf page and the inner levels; the stream's descriptor, with its root.
   * {@code size} and {@code storedBytes} are the stream's, recorded as they are.
   */
  StreamDescriptor finish(long size, long storedBytes) throws IOException {
    if (leaf != null) {
      flushLeaf();
    }
    int depth = 0;
    PagePointer root = new PagePointer(0, 0, 0);
    List<PagePointer> level = leaves;
    if (!level.isEmpty()) {
      depth = 1;
      while (level.size() > 1) {
        level = writeInnerLevel(level, depth);
        depth++;
      }
      root = level.get(0);
    }
    if (depth != Format.indexDepth(blocks)) {
      throw new IllegalStateException("index depth " + depth + " for " + blocks + " blocks");
    }
    return new StreamDescriptor(kind, size, depth, root.offset(), root.length(), storedBytes, root.crc());
  }

  /** Writes the pages of index level {@code level} over {@code children}; returns their pointers. */
  private List<PagePointer> writeInnerLevel(List<PagePointer> children, int level) throws IOException {
    List<PagePointer> parents = new ArrayList<>();
    long perEntry = Format.blocksPerEntry(level);
    for (int i = 0; i < children.size(); i += Format.INTERNAL_FANOUT) {
      IndexPage.Builder p = new IndexPage.Builder(level, kind, i * perEntry);
      for (int c = i; c < Math.min(children.size(), i + Format.INTERNAL_FANOUT); c++) {
        PagePointer ch = children.get(c);
        p.addChild(ch.offset(), ch.length(), ch.crc());
      }
      parents.add(pages.append(p.finish()));
    }
    return parents;
  }
}
