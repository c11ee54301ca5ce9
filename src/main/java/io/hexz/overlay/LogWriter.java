package io.hexz.overlay;

import io.hexz.format.Checksums;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.function.BooleanSupplier;

/**
 * Appends sealed records (grammar in {@link OverlayFile}) to an overlay's log: the live log that
 * writes and discards go to, and a compaction's new log, which becomes the live one once renamed
 * into place. A record is sealed (its CRC filled in) and then written at the end of the last one,
 * and nothing written is ever written again: so a crash can only tear the last record, which
 * recovery ({@link LogReplay}) cuts, and a compaction never changes the log it copies from. The
 * file's durability points (forcing it, the directory's fsync) are the overlay's.
 *
 * <p>Not thread-safe: the live log's writer is used under the overlay's write lock, a new log's
 * by its compaction alone.
 */
final class LogWriter {
  private final FileChannel out;
  private long end;
  private long seq;
  private final ByteBuffer record = ByteBuffer.allocate(OverlayFile.RECORD_HEADER
      + OverlayFile.MAX_RECORD_PAGES * Overlay.PAGE_SIZE).order(ByteOrder.LITTLE_ENDIAN);

  /** A writer of a new log whose first record goes to {@code start}, with sequence number 1. */
  LogWriter(FileChannel out, long start) {
    this(out, start, 0);
  }

  /** A writer appending to a log whose next record goes to {@code end}, after sequence number {@code seq}. */
  LogWriter(FileChannel out, long end, long seq) {
    this.out = out;
    this.end = end;
    this.seq = seq;
  }

  /** Where the next record goes. */
  long end() {
    return end;
  }

  /** The sequence number of the last record. */
  long seq() {
    return seq;
  }

  /**
   * The record buffer, ready for the data of a page record of {@code count} pages: positioned
   * after the record's header, which {@link #appendPages} fills in.
   */
  ByteBuffer pageRecord(int count) {
    return record.clear().limit(OverlayFile.RECORD_HEADER + count * Overlay.PAGE_SIZE)
        .position(OverlayFile.RECORD_HEADER);
  }

  /**
   * Appends the page record whose {@code count} pages from {@code first} the caller put into
   * {@link #pageRecord}; returns its offset (its data starts 32 bytes later).
   */
  long appendPages(int count, long first) throws IOException {
    long at = end;
    write(sealPageRecord(record, count, first, seq + 1));
    return at;
  }

  /** Appends a zero record for pages {@code [first, first + count)}. */
  void appendZeros(long first, int count) throws IOException {
    write(sealZeroRecord(record.clear().limit(OverlayFile.RECORD_HEADER), count, first, seq + 1));
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
}
