package io.hexz.overlay;

import static io.hexz.overlay.Overlay.PAGE_SIZE;
import static io.hexz.overlay.OverlayFile.ZERO_PAGE;

import io.hexz.read.BlockDevice;
import io.hexz.read.BlockDevice.Extent;
import java.io.IOException;

/**
 * The overlay's page map and what follows from it: how many of its pages the log stores (the
 * others were discarded), which pages changed while a compaction copies, and which discarded
 * pages need an entry at all. Writing, replaying the log at open and compacting all change the
 * map through here, so they build the same map and keep the same count.
 *
 * <p>Not thread-safe: the overlay's lock guards it, the write lock to change it.
 */
final class PageTable {
  private final PageMap map;
  /** Pages of the map whose content the log stores (not discarded). */
  private long stored;
  /** Pages changed while a compaction copies (null otherwise). */
  private PageMap dirty;

  PageTable() {
    this(new PageMap());
  }

  /** A table over {@code map}, which a compaction's new log filled. */
  PageTable(PageMap map) {
    this.map = map;
    this.stored = map.size() - map.count(ZERO_PAGE);
  }

  /** The file offset of the page's newest copy, {@link OverlayFile#ZERO_PAGE} if discarded, or -1. */
  long get(long page) {
    return map.get(page);
  }

  /** Pages held, stored or discarded. */
  int size() {
    return map.size();
  }

  /** Pages whose content the log stores. */
  long stored() {
    return stored;
  }

  /** Page numbers held, in no particular order. */
  long[] pages() {
    return map.pages();
  }

  /** Points a page at its newest copy; a compaction in progress learns that it changed. */
  void set(long page, long at) {
    long prev = map.get(page);
    map.put(page, at);
    stored += (at != ZERO_PAGE ? 1 : 0) - (prev > 0 ? 1 : 0); // data offsets are > 0
    if (dirty != null) {
      dirty.put(page, 0);
    }
  }

  /**
   * Marks pages [first, first + count) as zeros in the map: those the overlay holds, and those
   * whose base is not zero; a page the overlay never held over a zero base needs no entry.
   * Used both when discarding and when replaying a zero record, so both build the same map.
   * {@code base} and {@code size} are the overlay's current ones.
   */
  void zero(long first, long count, BlockDevice base, long size) throws IOException {
    long p = first;
    long last = first + count;
    while (p < last) {
      long off = p * PAGE_SIZE;
      Extent x = base.extentAt(off, Math.min(last * PAGE_SIZE, size) - off);
      long xEnd = off + x.length();
      // pages decided by this extent: those it covers whole (to the device's end, the short last page too)
      long q = xEnd >= size ? last : Math.min(last, Math.max(p + 1, xEnd / PAGE_SIZE));
      boolean baseZero = x.zero() && (xEnd >= size || xEnd >= (p + 1) * PAGE_SIZE);
      for (long i = p; i < q; i++) {
        if (!baseZero || map.get(i) >= 0) {
          set(i, ZERO_PAGE);
        }
      }
      p = q;
    }
  }

  /** Records, from now on, the pages that change (a compaction starts, or starts a new pass). */
  void track() {
    dirty = new PageMap();
  }

  /** The pages changed since {@link #track}, in no particular order. */
  long[] changed() {
    return dirty.pages();
  }

  /** Stops recording changed pages (the compaction ended). */
  void untrack() {
    dirty = null;
  }
}
