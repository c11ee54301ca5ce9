package io.hexz.overlay;

import io.hexz.format.Checksums;
import io.hexz.read.AbstractBlockDevice;
import io.hexz.read.BlockDevice;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The overlay file: a checked header, then an append-only log of page records. A write appends
 * one record holding the new content of whole 4 KiB pages (partial pages are completed from the
 * current content: read-modify-write); an in-memory {@link PageMap} points every page at its
 * newest copy. Nothing is ever overwritten in place, so a crash can only tear the record being
 * appended.
 *
 * <pre>
 * OverlayFile := Header Record*
 * Header      := magic[8]="HXZOVL\r\n" major:u16=1 minor:u16=2 pageSize:u32=4096
 *                size:u64 baseIdentity[32] baseSize:u64 (minor 2) reserved[...] crc:u32 @4092   (4096 bytes)
 * Record      := PageRecord | ZeroRecord
 * PageRecord  := magic:u32="HXOR" count:u32 firstPage:u64 seq:u64 crc:u32 reserved:u32
 *                data[count * 4096]            crc = CRC32C(record bytes 0..23 || data)
 * ZeroRecord  := magic:u32="HXOZ" count:u32 firstPage:u64 seq:u64 crc:u32 reserved:u32
 *                                              crc = CRC32C(record bytes 0..23)   (minor 1)
 * </pre>
 *
 * <p>A zero record (a discard: TRIM, punch-hole, zero-range) makes {@code count} whole pages read
 * as zeros without storing them: 32 bytes for up to 4 GiB. Partial pages at a discard's ends are
 * written as page records. In the page map a discarded page is {@link #ZERO_PAGE}; a page that
 * the overlay never held and whose base is zero needs no entry at all, so discarding a region
 * the guest never wrote costs no memory.
 *
 * <p>Recovery: on open {@link LogReplay} scans the log, cuts a torn tail and refuses a log damaged
 * in the middle. Because records are only appended and {@link #flush} forces the file, every
 * record acknowledged before the last fsync precedes any torn one and survives.
 *
 * <p>Creation is durable and exclusive: the header goes to a temporary file that is forced, then
 * hard-linked to the overlay's name (which fails if the name exists: of two racing creators one
 * wins and the other opens the winner's file), then the directory is forced. The exclusive lock
 * taken on open is held until close, so a second writer is refused.
 *
 * <p>Concurrency: thread-safe. Reads share a read lock; writes (read-modify-write, append, map
 * update) hold the write lock, so a read never sees a half-applied write. Positional file I/O
 * needs no further locking. Lock order: {@code compactLock} (one compaction, resize or close at a
 * time), then {@code rw}; {@link AutoCompaction}'s monitor, then {@code rw}'s read lock. Nothing
 * takes either of the first two while holding {@code rw}: a write checks for compaction and
 * back-pressure only after it unlocked. {@link AbstractBlockDevice} checks each call's range and
 * the closed state before {@code rw} is taken; a resize or a close may run in between (both
 * change those only under the write lock), so the hooks check again under {@code rw}
 * ({@link #recheck}).
 *
 * <p>Why this is one class: it holds everything {@code rw} guards (the log writer and the file
 * lock, the page table, the base, the size and the header's minor version), which a compaction
 * replaces together, under the write lock, when it switches to its new log. Every method that
 * takes {@code rw} is therefore here (reads, writes and discards, the compaction's locking, rename
 * and switch in {@link #rewrite}, flush and close), so the locking and the order of writes,
 * forces and the rename can be checked in one file; the one exception is the compaction's
 * {@link Compaction.Copier}, handed the write lock for its brief passes over the page table. The
 * jobs that have state of their own, or
 * need none of the overlay's, are elsewhere: {@link OverlayHeader} (the header), {@link LogReplay}
 * (the scan at open), {@link LogWriter} (sealing and appending records), {@link PageTable} (the
 * page map and what follows from it), {@link Compaction} (which pages a compaction copies, and
 * when) and {@link AutoCompaction} (when to compact, and the back-pressure on writers).
 */
final class OverlayFile extends AbstractBlockDevice implements Overlay {
  static final int HEADER_SIZE = 4096;
  static final int RECORD_MAGIC = 0x524F5848; // "HXOR"
  static final int RECORD_HEADER = 32;
  static final int MAX_RECORD_PAGES = 256;
  static final int ZERO_MAGIC = 0x5A4F5848; // "HXOZ"
  static final int MAX_ZERO_PAGES = 1 << 20;
  /** The page map's value for a discarded page (offset 0 is the header, never a page's data). */
  static final long ZERO_PAGE = 0;
  /** The largest disk a resize makes: 1 EiB, so that page numbers and offsets never overflow. */
  static final long MAX_SIZE = 1L << 60;
  private static final byte[] ZEROS = new byte[PAGE_SIZE];

  private final Path path;
  /** Appends to the log; guarded by rw (write lock to append): a compaction replaces it with its new log's. */
  private LogWriter log;
  private FileLock lock; // guarded by rw
  /** The base, read as zeros past its end when the disk was grown; guarded by rw (a resize swaps it). */
  private BlockDevice base;
  /** The disk's size: the base's until a resize; written under rw's write lock. */
  private volatile long size;
  private final long baseSize;
  private int minor; // guarded by rw: a compaction writes the current version's header
  private final byte[] baseIdentity;
  private final boolean readOnly;
  private final ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
  /** The page map, the stored count and a compaction's changed pages; guarded by rw (a compaction swaps it). */
  private PageTable table;
  /** One compaction at a time; close() takes it too, so it never closes under one. */
  private final Object compactLock = new Object();
  /** When to compact in the background, and the back-pressure on writers while it runs. */
  private final AutoCompaction auto;
  /** Test hook: called at each step of a compaction, to fail it there as a crash would. */
  Compaction.Fault fault = step -> { };
  private final byte[] page = new byte[PAGE_SIZE]; // guarded by rw (write lock)
  private volatile boolean closed;
  private volatile boolean closing;
  /** A compaction's rename is not yet known durable (its directory fsync failed); flush retries it. */
  private volatile boolean dirSyncPending;

  private OverlayFile(Path path, FileChannel ch, FileLock lock, BlockDevice base, OverlayHeader h, boolean ro,
      LogReplay.Replayed replayed) {
    super("overlay " + path);
    this.path = path;
    this.log = new LogWriter(ch, replayed.end(), replayed.seq());
    this.table = replayed.table();
    this.lock = lock;
    this.base = Resized.of(base, h.size());
    this.size = h.size();
    this.baseSize = h.baseSize();
    this.minor = h.minor();
    this.baseIdentity = h.baseIdentity();
    this.readOnly = ro;
    this.auto = new AutoCompaction(path, this::usage, () -> closing, this::compact);
  }

  static Overlay open(Path file, BlockDevice base, byte[] baseIdentity, boolean readOnly) throws IOException {
    if (!Files.exists(file)) {
      if (readOnly) {
        throw new NoSuchFileException(file.toString(), null, "overlay does not exist");
      }
      create(file, base.size(), baseIdentity); // if a racing creator won, its file is opened (and locked) below
    }
    FileChannel ch = readOnly ? FileChannel.open(file, StandardOpenOption.READ)
        : FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    FileLock lock = null;
    try {
      try {
        lock = ch.tryLock(0, Long.MAX_VALUE, readOnly);
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        throw new OverlayException(file.toString(), "overlay is in use by a live mount (it is locked)");
      }
      OverlayHeader h = OverlayHeader.parse(file.toString(), ch);
      if (!Arrays.equals(h.baseIdentity(), baseIdentity)) {
        throw new OverlayException(file.toString(), "overlay was made over snapshot " + Checksums.hex(h.baseIdentity())
            .substring(0, 16) + "…, not over this base (" + Checksums.hex(baseIdentity).substring(0, 16) + "…)");
      }
      if (h.baseSize() != base.size()) {
        throw new OverlayException(file.toString(), "overlay was made over a base of " + h.baseSize()
            + " bytes, this base has " + base.size());
      }
      if (!readOnly) {
        Files.deleteIfExists(Compaction.tempFile(file)); // left by a compaction a crash interrupted
      }
      LogReplay.Replayed r = LogReplay.replay(file, ch, Resized.of(base, h.size()), h.size(), readOnly);
      return new OverlayFile(file, ch, lock, base, h, readOnly, r);
    } catch (IOException | RuntimeException e) {
      if (lock != null) {
        lock.release();
      }
      ch.close();
      throw e;
    }
  }

  /**
   * Writes a fresh overlay durably, never replacing a file that already has the name (temp
   * file, fsync, link, fsync of the directory); returns false if another creator got there first.
   */
  static boolean create(Path file, long size, byte[] baseIdentity) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
    try {
      try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        OverlayHeader.write(c, size, size, baseIdentity);
        c.force(true);
      }
      try {
        Files.createLink(file, tmp);
      } catch (FileAlreadyExistsException e) {
        return false;
      } catch (UnsupportedOperationException | FileSystemException e) {
        // No hard links here (FAT, some FUSE file systems): a move that refuses an existing
        // target; not atomic against a racing creator, but the lock still admits one writer.
        Files.move(tmp, file);
      }
      syncDirectory(dir);
      return true;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Forces a directory, so that a name just made in it survives power loss. */
  private static void syncDirectory(Path dir) throws IOException {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    }
  }

  static long pages(long bytes) {
    return (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
  }

  private void readFully(ByteBuffer b, long at) throws IOException {
    readFully(path, log.channel(), b, at);
  }

  static void readFully(Path path, FileChannel ch, ByteBuffer b, long at) throws IOException {
    while (b.hasRemaining()) {
      if (ch.read(b, at + b.position()) < 0) {
        throw new EOFException(path + ": overlay ends early at " + (at + b.position()));
      }
    }
  }

  @Override
  public Path path() {
    return path;
  }

  @Override
  public byte[] baseIdentity() {
    return baseIdentity.clone();
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public boolean isWritable() {
    return !readOnly;
  }

  @Override
  public long pageCount() {
    rw.readLock().lock();
    try {
      return table.size();
    } finally {
      rw.readLock().unlock();
    }
  }

  @Override
  public long storedPageCount() {
    rw.readLock().lock();
    try {
      return table.stored();
    } finally {
      rw.readLock().unlock();
    }
  }

  @Override
  public long[] pages() {
    rw.readLock().lock();
    try {
      long[] p = table.pages();
      Arrays.sort(p);
      return p;
    } finally {
      rw.readLock().unlock();
    }
  }

  @Override
  public long baseSize() {
    return baseSize;
  }

  @Override
  protected int readChecked(ByteBuffer dst, long offset) throws IOException {
    rw.readLock().lock(); // size is only stable under the lock (a resize changes it)
    try {
      ensureOpen();
      if (offset >= size) {
        return -1; // shrunk since the check
      }
      int total = (int) Math.min(dst.remaining(), size - offset);
      readLocked(dst, offset, total);
      return total;
    } finally {
      rw.readLock().unlock();
    }
  }

  /** Overlay pages are data, discarded ones zero; elsewhere the base's state holds, cut at the next overlay page. */
  @Override
  protected Extent extentAtChecked(long offset, long length) throws IOException {
    rw.readLock().lock();
    try {
      recheck("extent", offset, length);
      // Bounded so that one call scans at most 16 Ki page-map entries.
      long end = offset + Math.min(length, 16384L * PAGE_SIZE);
      long p = offset / PAGE_SIZE;
      long at = table.get(p);
      if (at >= 0) {
        boolean zero = at == ZERO_PAGE;
        long pos = (p + 1) * PAGE_SIZE;
        long next;
        while (pos < end && (next = table.get(pos / PAGE_SIZE)) >= 0 && (next == ZERO_PAGE) == zero) {
          pos += PAGE_SIZE;
        }
        return new Extent(Math.min(pos, end) - offset, zero);
      }
      Extent x = base.extentAt(offset, end - offset);
      long pos = (p + 1) * PAGE_SIZE;
      while (pos < offset + x.length() && table.get(pos / PAGE_SIZE) < 0) {
        pos += PAGE_SIZE;
      }
      return new Extent(Math.min(pos, offset + x.length()) - offset, x.zero());
    } finally {
      rw.readLock().unlock();
    }
  }

  /** Copies [offset, offset+total) into dst: overlay pages from the log, runs of other pages from the base. */
  private void readLocked(ByteBuffer dst, long offset, int total) throws IOException {
    if (table.size() == 0) {
      readBase(dst, offset, total);
      return;
    }
    long pos = offset;
    long endPos = offset + total;
    while (pos < endPos) {
      long p = pos / PAGE_SIZE;
      long at = table.get(p);
      if (at >= 0) {
        int within = (int) (pos % PAGE_SIZE);
        int n = (int) Math.min(PAGE_SIZE - within, endPos - pos);
        if (at == ZERO_PAGE) {
          dst.put(ZEROS, 0, n);
        } else {
          ByteBuffer d = dst.slice().limit(n);
          readFully(d, at + within);
          dst.position(dst.position() + n);
        }
        pos += n;
      } else {
        long runEnd = (p + 1) * PAGE_SIZE;
        while (runEnd < endPos && table.get(runEnd / PAGE_SIZE) < 0) {
          runEnd += PAGE_SIZE;
        }
        int n = (int) (Math.min(runEnd, endPos) - pos);
        readBase(dst, pos, n);
        pos += n;
      }
    }
  }

  private void readBase(ByteBuffer dst, long offset, int n) throws IOException {
    int limit = dst.limit();
    dst.limit(dst.position() + n);
    try {
      while (dst.hasRemaining()) {
        int r = base.read(dst, offset + (n - dst.remaining()));
        if (r < 0) {
          throw new EOFException(path + ": base ended early");
        }
      }
    } finally {
      dst.limit(limit);
    }
  }

  @Override
  protected void writeChecked(ByteBuffer src, long offset) throws IOException {
    rw.writeLock().lock();
    try {
      recheck("write", offset, src.remaining());
      while (src.hasRemaining()) {
        long first = offset / PAGE_SIZE;
        long last = Math.min(pages(size) - 1, (offset + src.remaining() - 1) / PAGE_SIZE);
        int count = (int) Math.min(MAX_RECORD_PAGES, last - first + 1);
        int consumed = appendRecord(src, offset, first, count);
        offset += consumed;
      }
    } finally {
      rw.writeLock().unlock();
    }
    if (!rw.isWriteLockedByCurrentThread()) { // a discard writing its partial pages checks once, after
      maybeCompact();
      auto.throttle();
    }
  }

  /** Builds and appends one record of {@code count} pages from {@code first}; returns bytes taken from src. */
  private int appendRecord(ByteBuffer src, long offset, long first, int count) throws IOException {
    ByteBuffer r = log.pageRecord(count);
    int taken = 0;
    for (int i = 0; i < count; i++) {
      long pageStart = (first + i) * PAGE_SIZE;
      long from = Math.max(pageStart, offset);
      long to = Math.min(pageStart + PAGE_SIZE, offset + src.remaining() + taken);
      int pageBytes = (int) Math.min(PAGE_SIZE, size - pageStart);
      if (from > pageStart || to < pageStart + pageBytes) {
        // Partial page: start from its current content (overlay or base).
        Arrays.fill(page, (byte) 0);
        readLocked(ByteBuffer.wrap(page, 0, pageBytes), pageStart, pageBytes);
      }
      int n = (int) (to - from);
      src.get(page, (int) (from - pageStart), n);
      if (pageBytes < PAGE_SIZE) {
        Arrays.fill(page, pageBytes, PAGE_SIZE, (byte) 0); // past the end: zeros, should the disk grow
      }
      taken += n;
      r.put(page, 0, PAGE_SIZE);
    }
    long at = log.appendPages(count, first);
    for (int i = 0; i < count; i++) {
      table.set(first + i, at + RECORD_HEADER + (long) i * PAGE_SIZE);
    }
    return taken;
  }

  /**
   * Whole pages in the range become a zero record (or several, 4 GiB each); partial pages at its
   * ends are written as zeros. An overlay made before zero records existed (minor 0) gets zero
   * pages written instead, so that an older hexz can still read it.
   */
  @Override
  protected void discardChecked(long offset, long length) throws IOException {
    rw.writeLock().lock();
    try {
      recheck("discard", offset, length);
      long endPos = offset + length;
      long firstFull = (offset + PAGE_SIZE - 1) / PAGE_SIZE;
      long endFull = endPos == size ? pages(size) : endPos / PAGE_SIZE; // the device's short last page counts whole
      if (minor < 1 || firstFull >= endFull) {
        super.discardChecked(offset, length); // zeros, written through write()
      } else {
        long headEnd = Math.min(endPos, firstFull * PAGE_SIZE);
        if (headEnd > offset) {
          write(ByteBuffer.wrap(new byte[(int) (headEnd - offset)]), offset);
        }
        for (long p = firstFull; p < endFull; p += MAX_ZERO_PAGES) {
          appendZeroRecord(p, (int) Math.min(MAX_ZERO_PAGES, endFull - p));
        }
        long tailStart = Math.min(size, endFull * PAGE_SIZE);
        if (tailStart < endPos) {
          write(ByteBuffer.wrap(new byte[(int) (endPos - tailStart)]), tailStart);
        }
      }
    } finally {
      rw.writeLock().unlock();
    }
    maybeCompact();
    auto.throttle();
  }

  private void appendZeroRecord(long first, int count) throws IOException {
    log.appendZeros(first, count);
    table.zero(first, count, base, size);
  }

  @Override
  public long logBytes() {
    rw.readLock().lock();
    try {
      return log.end() - HEADER_SIZE;
    } finally {
      rw.readLock().unlock();
    }
  }

  /** Sets the slack allowed before an automatic compaction (tests use small ones). */
  void setSlack(long bytes) {
    auto.setSlack(bytes);
  }

  /** Starts a background compaction if the log has outgrown its bound (see {@link AutoCompaction}). */
  private void maybeCompact() {
    if (!readOnly) {
      auto.maybeCompact();
    }
  }

  /** The log's size and the stored pages, read together: what {@link AutoCompaction} decides by. */
  private AutoCompaction.Usage usage() {
    rw.readLock().lock();
    try {
      return new AutoCompaction.Usage(log.end() - HEADER_SIZE, table.stored());
    } finally {
      rw.readLock().unlock();
    }
  }

  @Override
  public void compact() throws IOException {
    requireWritable();
    rewrite(-1);
  }

  /**
   * Grows or shrinks the disk to {@code newSize} by rewriting the log as a compaction does (so
   * a crash at any point leaves the old size or the new one, never a mix): a grown range reads
   * zeros, a shrunk one's data is dropped. The new size must be a multiple of the page size (or
   * the base's own size), so that no page is cut; shrinking needs {@code allowShrink}.
   */
  @Override
  public void resize(long newSize, boolean allowShrink) throws IOException {
    requireWritable();
    if (newSize <= 0 || newSize > MAX_SIZE || (newSize % PAGE_SIZE != 0 && newSize != baseSize)) {
      throw new IllegalArgumentException("new size (" + newSize + ") must be a positive multiple of " + PAGE_SIZE
          + " up to " + MAX_SIZE + ", or the base's size (" + baseSize + ")");
    }
    synchronized (compactLock) {
      long old = size;
      if (newSize < old && !allowShrink) {
        throw new OverlayException(path.toString(), "shrinking the disk from " + old + " to " + newSize
            + " bytes would drop the data past the new end; refused unless shrinking is asked for");
      }
      if (newSize != old) {
        rewrite(newSize);
      }
    }
  }

  /**
   * Rewrites the log with only the newest copy of each page, while writes go on, at the disk size
   * {@code newSize} ({@code -1}: unchanged). Phase 1, with no lock held: the page map is copied,
   * and every live page is copied into a new file beside the overlay ({@code .NAME.compact});
   * writes meanwhile go to the old log and mark their pages dirty. Phase 2, under the write lock:
   * the dirty pages are copied in their current state, a resize's edges are written (zero records
   * where a grown disk would otherwise show the base again, the old short last page cut at the old
   * end), the new file is forced, renamed over the overlay (atomic) and the directory forced; then
   * the new file replaces the old one in place. A crash before the rename leaves the old log,
   * which holds every acknowledged write, and a stale temporary file that the next open removes;
   * after it, the new log, forced before the rename, holds them all. See FORMAT.md, Compaction.
   * Its callers, {@link #compact} and {@link #resize}, have checked that the overlay is writable.
   */
  private void rewrite(long newSize) throws IOException {
    synchronized (compactLock) {
      ensureOpen();
      long target = newSize < 0 ? size : newSize;
      long keepPages = pages(target); // pages past the new end are not copied
      Compaction.Copier copier = new Compaction.Copier(rw.writeLock(), table, log.channel(), keepPages, fault);
      copier.snapshot();
      Path tmp = Compaction.tempFile(path);
      Files.deleteIfExists(tmp);
      FileChannel nc = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
      FileLock nl = null;
      FileChannel old = null;
      FileLock oldLock = null;
      try {
        nl = nc.tryLock();
        if (nl == null) {
          throw new OverlayException(tmp.toString(), "cannot lock the compacted overlay");
        }
        OverlayHeader.write(nc, target, baseSize, baseIdentity);
        LogWriter out = new LogWriter(nc, HEADER_SIZE);
        PageMap fresh = new PageMap();
        copier.copy(out, fresh, () -> closing);
        nc.force(false); // most of the new log is durable before writers are held
        fault.at(1);
        rw.writeLock().lock();
        try {
          ensureOpen();
          long oldSize = size;
          copier.copyChanged(out, fresh);
          long[] regrown = target > oldSize ? Compaction.grow(out, fresh, oldSize, target, baseSize, path) : null;
          // The new state is built whole before the rename: a failure after it (a remote base's
          // extentAt failing in zero()) would leave the name switched and the map without the
          // zero entries, so the regrown range would read the base's bytes.
          PageTable nextTable = new PageTable(fresh);
          BlockDevice nextBase = Resized.of(base, target);
          if (regrown != null) {
            nextTable.zero(regrown[0], regrown[1], nextBase, target); // the entries replaying those zero records gives
          }
          nc.force(true);
          fault.at(2);
          Files.move(tmp, path, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
              java.nio.file.StandardCopyOption.REPLACE_EXISTING);
          // The name is the new file now: switch to it; nothing below may throw before nc = null.
          old = log.channel();
          oldLock = lock;
          log = out;
          lock = nl;
          nc = null;
          table = nextTable;
          minor = OverlayHeader.MINOR;
          size = target;
          base = nextBase;
          dirSyncPending = true;
          fault.at(3);
          syncDirectory(path.toAbsolutePath().getParent());
          dirSyncPending = false;
        } finally {
          table.untrack();
          rw.writeLock().unlock();
        }
      } finally {
        if (nc != null) { // failed before the swap: the old log stays the overlay
          if (nl != null && nl.isValid()) {
            nl.release();
          }
          nc.close();
          Files.deleteIfExists(tmp);
          rw.writeLock().lock();
          try {
            table.untrack();
          } finally {
            rw.writeLock().unlock();
          }
        }
        if (old != null) {
          if (oldLock != null && oldLock.isValid()) {
            oldLock.release();
          }
          old.close();
        }
      }
    }
  }

  @Override
  public void flush() throws IOException {
    if (!readOnly) {
      ensureOpen();
      rw.readLock().lock(); // a compaction may be replacing the channel
      try {
        log.channel().force(false);
        if (dirSyncPending) {
          // A compaction renamed the new log into place but could not force the directory: until
          // that succeeds, power loss could bring the old name back, without what was written since.
          syncDirectory(path.toAbsolutePath().getParent());
          dirSyncPending = false;
        }
      } finally {
        rw.readLock().unlock();
      }
    }
  }

  @Override
  protected void requireWritable() throws OverlayException {
    if (readOnly) {
      throw new OverlayException(path.toString(), "overlay is open read-only");
    }
  }

  @Override
  protected boolean isClosed() {
    return closed;
  }

  /**
   * Under {@code rw}: the closed state and the range, which the base checked before the lock was
   * taken, while a close or a resize could still change them.
   */
  private void recheck(String op, long offset, long length) throws IOException {
    ensureOpen();
    BlockDevice.requireInside(op, offset, length, size);
  }

  @Override
  public void close() throws IOException {
    closing = true; // a compaction in progress stops at its next page
    synchronized (compactLock) {
      closeLocked();
    }
  }

  private void closeLocked() throws IOException {
    rw.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      if (!readOnly) {
        log.channel().force(false);
      }
      if (lock.isValid()) {
        lock.release();
      }
      log.channel().close();
    } finally {
      rw.writeLock().unlock();
    }
  }
}
