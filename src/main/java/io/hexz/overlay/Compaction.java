package io.hexz.overlay;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.locks.Lock;
import java.util.function.BooleanSupplier;

/**
 * The copying half of an overlay compaction ({@link OverlayFile#compact} does the locking, the
 * rename and the swap): {@link Copier} decides which pages go into the new log and when, a
 * {@link LogWriter} writes them (page records for runs of stored pages, zero records for runs of
 * discarded ones, sequence numbers from 1), and {@link #grow} writes a resize's edges. Not
 * thread-safe; one compaction owns one copier.
 */
final class Compaction {
  /** Catch-up passes of a compaction before the one under the write lock (see {@link Copier#catchUp}). */
  static final int CATCH_UP_PASSES = 4;
  /** Pages few enough to copy under the write lock: 1 MiB. */
  static final int CATCH_UP_DONE = 256;

  private Compaction() {}

  /** Where a compaction of {@code overlay} writes its new log before renaming it into place. */
  static Path tempFile(Path overlay) {
    return overlay.toAbsolutePath().resolveSibling("." + overlay.getFileName() + ".compact");
  }

  /** Test hook: a compaction calls it after each step (0 before each catch-up pass, 1 copied, 2 forced, 3 renamed). */
  interface Fault {
    void at(int step) throws IOException;
  }

  /**
   * Copies an overlay's live pages into a new log while writes go on: first a copy of the whole
   * map taken under the write lock ({@link #snapshot}), then, with no lock held, every page of it
   * and the catch-up passes ({@link #copy}), then, with writers held by the caller, the pages they
   * changed last ({@link #copyChanged}). {@link OverlayFile} opens the new file, forces it, renames
   * it into place and switches to it; its {@code rewrite} says why a crash at any step is safe.
   *
   * <p>Concurrency: used by one compaction, on its thread, while the overlay's compaction lock
   * keeps the overlay's channel and page table in place (only a compaction replaces them). The
   * page table is read, and its tracking restarted, only under the overlay's write lock.
   */
  static final class Copier {
    private final Lock writeLock;
    private final PageTable table;
    private final FileChannel from;
    private final long keepPages;
    private final Fault fault;
    private long[] pages;
    private long[] offsets;

    /**
     * A copier of the pages below {@code keepPages} (those past a new end are not copied) of the
     * log {@code from}, whose page table {@code table} is guarded by {@code writeLock}.
     */
    Copier(Lock writeLock, PageTable table, FileChannel from, long keepPages, Fault fault) {
      this.writeLock = writeLock;
      this.table = table;
      this.from = from;
      this.keepPages = keepPages;
      this.fault = fault;
    }

    /** Takes a consistent copy of the map and starts marking the pages that change from here on. */
    void snapshot() {
      writeLock.lock(); // brief: a consistent copy of the map, and dirty tracking from here on
      try {
        pages = below(table.pages(), keepPages);
        offsets = offsetsOf(pages);
        table.track();
      } finally {
        writeLock.unlock();
      }
    }

    /** Copies the snapshot's pages, then the catch-up passes; stops with an exception once {@code closing}. */
    void copy(LogWriter out, PageMap fresh, BooleanSupplier closing) throws IOException {
      out.copy(pages, offsets, from, fresh, closing);
      catchUp(out, fresh, closing);
    }

    /**
     * Copies the pages written during the main copy, without holding writers, pass after pass while
     * many changed, so that the pass under the write lock (which must be last) copies few: at most
     * {@link #CATCH_UP_PASSES} passes, stopping once a pass finds {@link #CATCH_UP_DONE} pages or
     * fewer. A page rewritten during a pass is marked again and copied again later; the newest copy
     * in the new log is the one the map keeps. Records in the old log never change, so copying from
     * an offset read a moment ago is safe without the lock.
     */
    private void catchUp(LogWriter out, PageMap fresh, BooleanSupplier closing) throws IOException {
      for (int pass = 0; pass < CATCH_UP_PASSES; pass++) {
        fault.at(0);
        long[] changed;
        long[] now;
        writeLock.lock(); // brief: take the marked pages, start marking afresh
        try {
          changed = below(table.changed(), keepPages);
          if (changed.length <= CATCH_UP_DONE) {
            return; // few enough for the final pass under the lock
          }
          now = offsetsOf(changed);
          table.track();
        } finally {
          writeLock.unlock();
        }
        out.copy(changed, now, from, fresh, closing);
      }
    }

    /** The final pass: copies the pages changed since the last one. The caller holds the write lock. */
    void copyChanged(LogWriter out, PageMap fresh) throws IOException {
      long[] changed = below(table.changed(), keepPages);
      out.copy(changed, offsetsOf(changed), from, fresh, () -> false);
    }

    /** Where the newest copy of each of {@code pages} is now. The caller holds the write lock. */
    private long[] offsetsOf(long[] pages) {
      long[] at = new long[pages.length];
      for (int i = 0; i < pages.length; i++) {
        at[i] = table.get(pages[i]);
      }
      return at;
    }
  }

  /** The sorted pages of {@code all} below {@code limit}. */
  private static long[] below(long[] all, long limit) {
    Arrays.sort(all);
    int n = 0;
    while (n < all.length && all[n] < limit) {
      n++;
    }
    return n == all.length ? all : Arrays.copyOf(all, n);
  }

  /**
   * Writes the edges of a resize that grows the disk from {@code oldSize} to {@code target} into
   * the new log; returns the zero run {first, count} it wrote, whose map entries the caller makes
   * as replaying it would, or null. Caller holds the write lock.
   */
  static long[] grow(LogWriter out, PageMap fresh, long oldSize, long target, long baseSize, Path overlay)
      throws IOException {
    cutLastPage(oldSize, out, fresh, overlay);
    // After a shrink below the base, the base's bytes past the old end must not come back.
    long from = OverlayFile.pages(oldSize);
    long to = Math.min(OverlayFile.pages(target), OverlayFile.pages(baseSize));
    if (from < to) {
      out.zeroRun(from, to - from);
      return new long[] {from, to - from};
    }
    return null;
  }

  /**
   * Growing from a size that ends inside a page (the base's own short last page): if the log holds
   * that page, its bytes past the old end are written as zeros in the new log, whatever an older
   * hexz left there. A page the log does not hold comes from the base, which reads zeros past
   * its end. Caller holds the write lock.
   */
  private static void cutLastPage(long oldSize, LogWriter out, PageMap fresh, Path overlay) throws IOException {
    int within = (int) (oldSize % Overlay.PAGE_SIZE);
    long last = oldSize / Overlay.PAGE_SIZE;
    long at = within == 0 ? -1 : fresh.get(last);
    if (at <= 0) {
      return; // aligned, not held, or discarded (zeros already)
    }
    byte[] b = new byte[Overlay.PAGE_SIZE];
    ByteBuffer bb = ByteBuffer.wrap(b, 0, within);
    while (bb.hasRemaining()) {
      if (out.channel().read(bb, at + bb.position()) < 0) {
        throw new EOFException(overlay + ": compacted overlay ends early at " + at);
      }
    }
    out.pages(last, b, fresh);
  }
}
