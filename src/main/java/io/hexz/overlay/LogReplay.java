package io.hexz.overlay;

import static io.hexz.overlay.Overlay.PAGE_SIZE;
import static io.hexz.overlay.OverlayFile.HEADER_SIZE;
import static io.hexz.overlay.OverlayFile.MAX_RECORD_PAGES;
import static io.hexz.overlay.OverlayFile.MAX_ZERO_PAGES;
import static io.hexz.overlay.OverlayFile.RECORD_HEADER;
import static io.hexz.overlay.OverlayFile.RECORD_MAGIC;
import static io.hexz.overlay.OverlayFile.ZERO_MAGIC;

import io.hexz.format.Checksums;
import io.hexz.read.BlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Recovery at open: scans an overlay's log from the header on, replays every record into a fresh
 * {@link PageTable}, and finds where the log ends (FORMAT.md, the overlay file).
 *
 * <p>Records must have consecutive sequence numbers, sane counts, lie inside the file and match
 * their CRC. At the first record that does not, the rest of the file is searched for a valid
 * later record: if there is none, this is a torn tail (the append a crash interrupted), and the
 * file is truncated there (a warning says how many bytes were dropped); if there is one, the log
 * is damaged in the middle and the overlay is refused, naming both offsets, since cutting there
 * would silently drop records that were already synced. Because records are only appended and
 * {@link OverlayFile#flush} forces the file, every record acknowledged before the last fsync
 * precedes any torn one and survives.
 *
 * <p>Used once per open, by the opening thread, before the overlay is shared.
 */
final class LogReplay {
  /** Logs as the overlay: the warning about a cut tail is about the overlay file. */
  private static final System.Logger LOG = System.getLogger(OverlayFile.class.getName());

  /** What the scan found: the pages, the offset the next record goes to, the last sequence number. */
  record Replayed(PageTable table, long end, long seq) {}

  private final Path path;
  private final FileChannel ch;
  /** The disk's size: records must lie inside it. */
  private final long size;

  private LogReplay(Path path, FileChannel ch, long size) {
    this.path = path;
    this.ch = ch;
    this.size = size;
  }

  /**
   * Scans the log of {@code ch}, fills a page table and cuts a torn tail ({@code readOnly}: only
   * reads where it ends). {@code base} is the base at {@code size}, which decides which
   * discarded pages need an entry.
   */
  static Replayed replay(Path path, FileChannel ch, BlockDevice base, long size, boolean readOnly)
      throws IOException {
    return new LogReplay(path, ch, size).scan(base, readOnly);
  }

  private Replayed scan(BlockDevice base, boolean readOnly) throws IOException {
    PageTable table = new PageTable();
    long fileSize = ch.size();
    long pos = HEADER_SIZE;
    long expectSeq = 1;
    ByteBuffer h = ByteBuffer.allocate(RECORD_HEADER).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer data = ByteBuffer.allocate(MAX_RECORD_PAGES * PAGE_SIZE);
    String stop = null;
    while (pos < fileSize) {
      if (fileSize - pos < RECORD_HEADER) {
        stop = "a torn record header";
        break;
      }
      h.clear();
      readFully(h, pos);
      int count = h.getInt(4);
      long first = h.getLong(8);
      long s = h.getLong(16);
      boolean zero = h.getInt(0) == ZERO_MAGIC;
      if (!sane(h.getInt(0), count, first) || s != expectSeq) {
        stop = "a record with a bad header";
        break;
      }
      if (zero) {
        if (Checksums.crc32c(h.array(), 0, 24) != h.getInt(24)) {
          stop = "a record that fails its checksum";
          break;
        }
        table.zero(first, count, base, size);
        pos += RECORD_HEADER;
        expectSeq++;
        continue;
      }
      long len = (long) count * PAGE_SIZE;
      if (fileSize - pos - RECORD_HEADER < len) {
        stop = "a torn record";
        break;
      }
      data.clear().limit((int) len);
      readFully(data, pos + RECORD_HEADER);
      java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
      crc.update(h.array(), 0, 24);
      crc.update(data.array(), 0, (int) len);
      if ((int) crc.getValue() != h.getInt(24)) {
        stop = "a record that fails its checksum";
        break;
      }
      for (int i = 0; i < count; i++) {
        table.set(first + i, pos + RECORD_HEADER + (long) i * PAGE_SIZE);
      }
      pos += RECORD_HEADER + len;
      expectSeq++;
    }
    if (stop != null) {
      long later = nextValidRecord(pos, fileSize, expectSeq, h, data);
      if (later >= 0) {
        throw new OverlayException(path.toString(), "overlay log is damaged at offset " + pos + " (" + stop
            + "), but a valid later record follows at offset " + later + "; refusing to drop the records after the "
            + "damage (this is not a torn tail)");
      }
      LOG.log(System.Logger.Level.WARNING, "{0}: log ends at offset {1} with {2}; dropping {3} unsynced bytes",
          path, pos, stop, fileSize - pos);
      if (!readOnly) {
        ch.truncate(pos);
        ch.force(true);
      }
    }
    return new Replayed(table, pos, expectSeq - 1);
  }

  /**
   * The offset of the first valid record after {@code from}, or -1. Records start at
   * {@code HEADER_SIZE + 32k} (a record is 32 bytes plus whole pages), so only those offsets are
   * tried; a candidate must have the magic, a sane header, a sequence number not below
   * {@code minSeq}, lie inside the file and match its CRC. Reads the rest of the file, but only
   * when the log does not end cleanly.
   */
  private long nextValidRecord(long from, long fileSize, long minSeq, ByteBuffer h, ByteBuffer data)
      throws IOException {
    ByteBuffer chunk = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
    long first = from + RECORD_HEADER - (from - HEADER_SIZE) % RECORD_HEADER;
    for (long base = first; base + RECORD_HEADER <= fileSize; base += chunk.capacity()) {
      chunk.clear().limit((int) Math.min(chunk.capacity(), fileSize - base));
      readFully(chunk, base);
      for (int i = 0; i + 4 <= chunk.limit(); i += RECORD_HEADER) {
        int magic = chunk.getInt(i);
        if ((magic == RECORD_MAGIC || magic == ZERO_MAGIC) && validRecordAt(base + i, fileSize, minSeq, h, data)) {
          return base + i;
        }
      }
    }
    return -1;
  }

  private boolean validRecordAt(long at, long fileSize, long minSeq, ByteBuffer h, ByteBuffer data)
      throws IOException {
    if (fileSize - at < RECORD_HEADER) {
      return false;
    }
    h.clear();
    readFully(h, at);
    int count = h.getInt(4);
    long first = h.getLong(8);
    long s = h.getLong(16);
    if (!sane(h.getInt(0), count, first) || s < minSeq) {
      return false;
    }
    if (h.getInt(0) == ZERO_MAGIC) {
      return Checksums.crc32c(h.array(), 0, 24) == h.getInt(24);
    }
    if (fileSize - at - RECORD_HEADER < (long) count * PAGE_SIZE) {
      return false;
    }
    data.clear().limit(count * PAGE_SIZE);
    readFully(data, at + RECORD_HEADER);
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(h.array(), 0, 24);
    crc.update(data.array(), 0, count * PAGE_SIZE);
    return (int) crc.getValue() == h.getInt(24);
  }

  /** A record header's magic, page count and first page are possible for this overlay. */
  private boolean sane(int magic, int count, long first) {
    int max = magic == RECORD_MAGIC ? MAX_RECORD_PAGES : magic == ZERO_MAGIC ? MAX_ZERO_PAGES : 0;
    return count > 0 && count <= max && first >= 0 && first + count <= OverlayFile.pages(size);
  }

  private void readFully(ByteBuffer b, long at) throws IOException {
    OverlayFile.readFully(path, ch, b, at);
  }
}
