package io.hexz.overlay;

import io.hexz.format.Checksums;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.locks.Lock;
import java.util.function.BooleanSupplier;

/**
 * The copying half of an overlay compaction ({@link OverlayFile#compact} does the locking, the
 * rename and the swap): {@link Copier} decides which pages to copy and when, {@link Log} writes
 * the newest state of given pages as a fresh log, page records for runs of stored pages and zero
 * records for runs of discarded ones, sequence numbers from 1, and {@link #grow} writes a resize's
 * edges. Not thread-safe; one compaction owns one instance of each.
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
   * Fills in the header of the page record in {@code r} (32 bytes, then {@code count} pages of
   * data up to its limit), checksum included; returns r.
   */
  static ByteBuffer sealPageRecord(ByteBuffer r, int count, long first, long seq) {
    r.order(ByteOrder.LITTLE_ENDIAN);
    r.putInt(0, OverlayFile.RECORD_MAGIC).putInt(4, count).putLong(8, first).putLong(16, seq).putInt(28, 0);
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(r.array(), 0, 24);
    crc.update(r.array(), OverlayFile.RECORD_HEADER, count * Overlay.PAGE_SIZE);
    r.putInt(24, (int) crc.getValue());
    return r;
  }

  /** Fills {@code r} (32 bytes) with a zero record; returns r. */
  static ByteBuffer sealZeroRecord(ByteBuffer r, int count, long first, long seq) {
    r.order(ByteOrder.LITTLE_ENDIAN);
    r.putInt(0, OverlayFile.ZERO_MAGIC).putInt(4, count).putLong(8, first).putLong(16, seq).putInt(28, 0);
    r.putInt(24, Checksums.crc32c(r.array(), 0, 24));
    return r;
  }

  /** A log being written from scratch. */
  static final class Log {
    private final FileChannel out;
    private long end;
    private long seq;
    private final ByteBuffer record = ByteBuffer.allocate(OverlayFile.RECORD_HEADER
        + OverlayFile.MAX_RECORD_PAGES * Overlay.PAGE_SIZE).order(ByteOrder.LITTLE_ENDIAN);

    Log(FileChannel out, long start) {
      this.out = out;
      this.end = start;
    }

    long end() {
      return end;
    }

    long seq() {
      return seq;
    }

    /**
     * Appends pages {@code pages[i]} (sorted, distinct) whose newest copy is at
     * {@code offsets[i]} of {@code from} ({@link OverlayFile#ZERO_PAGE}: discarded), and points
     * {@code map} at the new copies. Stops with an exception when {@code abort} turns true.
     */
    void copy(long[] pages, long[] offsets, FileChannel from, PageMap map, BooleanSupplier abort) throws IOException {
      int i = 0;
      while (i < pages.length) {
        if (abort.getAsBoolean()) {
          throw new InterruptedIOException("compaction stopped: the overlay is closing");
        }
        boolean zero = offsets[i] == OverlayFile.ZERO_PAGE;
        int max = zero ? OverlayFile.MAX_ZERO_PAGES : OverlayFile.MAX_RECORD_PAGES;
        int j = i + 1;
        while (j < pages.length && j - i < max && pages[j] == pages[j - 1] + 1
            && (offsets[j] == OverlayFile.ZERO_PAGE) == zero) {
          j++;
        }
        if (zero) {
          zeroRecord(pages[i], j - i, map);
        } else {
          pageRecord(pages, offsets, i, j, from, map);
        }
        i = j;
      }
    }

    private void zeroRecord(long first, int count, PageMap map) throws IOException {
      write(sealZeroRecord(record.clear().limit(OverlayFile.RECORD_HEADER), count, first, seq + 1));
      for (int k = 0; k < count; k++) {
        map.put(first + k, OverlayFile.ZERO_PAGE);
      }
    }

    /** Zero records for pages {@code [first, first + count)}, leaving the map to the caller. */
    void zeroRun(long first, long count) throws IOException {
      for (long p = first; p < first + count; p += OverlayFile.MAX_ZERO_PAGES) {
        int n = (int) Math.min(OverlayFile.MAX_ZERO_PAGES, first + count - p);
        write(sealZeroRecord(record.clear().limit(OverlayFile.RECORD_HEADER), n, p, seq + 1));
      }
    }

    /** A page record of one page, {@code data} (4096 bytes), pointing {@code map} at it. */
    void pages(long page, byte[] data, PageMap map) throws IOException {
      ByteBuffer r = record.clear().limit(OverlayFile.RECORD_HEADER + Overlay.PAGE_SIZE);
      r.put(OverlayFile.RECORD_HEADER, data, 0, Overlay.PAGE_SIZE);
      long at = end;
      write(sealPageRecord(r, 1, page, seq + 1));
      map.put(page, at + OverlayFile.RECORD_HEADER);
    }

    /** The file being written. */
    FileChannel channel() {
      return out;
    }

    private void pageRecord(long[] pages, long[] offsets, int from, int to, FileChannel src, PageMap map)
        throws IOException {
      int count = to - from;
      int len = count * Overlay.PAGE_SIZE;
      ByteBuffer r = record.clear().limit(OverlayFile.RECORD_HEADER + len);
      for (int k = 0; k < count; k++) {
        ByteBuffer page = r.duplicate().position(OverlayFile.RECORD_HEADER + k * Overlay.PAGE_SIZE)
            .limit(OverlayFile.RECORD_HEADER + (k + 1) * Overlay.PAGE_SIZE);
        long at = offsets[from + k];
        while (page.hasRemaining()) {
          if (src.read(page, at + page.position() - OverlayFile.RECORD_HEADER - k * Overlay.PAGE_SIZE) < 0) {
            throw new EOFException("overlay ends early at " + at);
          }
        }
      }
      long at = end;
      write(sealPageRecord(r, count, pages[from], seq + 1));
      for (int k = 0; k < count; k++) {
        map.put(pages[from + k], at + OverlayFile.RECORD_HEADER + (long) k * Overlay.PAGE_SIZE);
      }
    }

    private void write(ByteBuffer r) throws IOException {
      r.position(0);
      long at = end;
      while (r.hasRemaining()) {
        out.write(r, at + r.position());
      }
      end = at + r.limit();
      seq++;
    }
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
    void copy(Log out, PageMap fresh, BooleanSupplier closing) throws IOException {
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
    private void catchUp(Log out, PageMap fresh, BooleanSupplier closing) throws IOException {
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
    void copyChanged(Log out, PageMap fresh) throws IOException {
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
  static long[] grow(Log out, PageMap fresh, long oldSize, long target, long baseSize, Path overlay)
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
  private static void cutLastPage(long oldSize, Log out, PageMap fresh, Path overlay) throws IOException {
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
