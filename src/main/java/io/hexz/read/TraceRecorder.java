package io.hexz.read;

import io.hexz.format.BootTrace;
import io.hexz.format.StreamKind;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Records the first read of each block of a snapshot's streams, in order, as a {@link BootTrace}
 * ({@code mount --record-trace FILE}): {@link #wrap} gives a device that notes the blocks each
 * read touches before passing it on. The trace file is rewritten whole, atomically (temporary
 * file, fsync, rename), every {@link #PERIOD_MS} ms while it grows and at {@link #close}, so a
 * mount that is killed (a VM's host crashing) still leaves the trace up to a few seconds before.
 *
 * <p>Memory: one bit per block of each wrapped stream and 16 bytes per first read, at most
 * {@link BootTrace#MAX_ENTRIES}; later first reads are not recorded.
 *
 * <p>Concurrency: reads on any thread note blocks under the recorder's lock (a bit test per
 * block, so cheap next to the read); one named daemon thread writes the file.
 */
public final class TraceRecorder implements Closeable {
  private static final System.Logger LOG = System.getLogger(TraceRecorder.class.getName());
  /** How often a growing trace is written out. */
  static final long PERIOD_MS = 2000;
  private final Path file;
  private final int blockSize;
  private final byte[] identity;
  private final long start = System.nanoTime();
  private final Map<StreamKind, BitSet> seen = new EnumMap<>(StreamKind.class); // guarded by this
  private final List<BootTrace.Entry> entries = new ArrayList<>(); // guarded by this
  private int written; // entries in the file; guarded by this
  private final Thread writer;
  /**
   * Held while the temporary file is written and renamed: the loop and close may flush at once.
   * Not the writer thread's own monitor, which {@link Thread#join} waits on and notifies.
   */
  private final Object fileLock = new Object();
  private volatile boolean closed;

  /** Records reads of {@code s}'s streams (in {@code s}'s block size) into {@code file}. */
  public TraceRecorder(Path file, Snapshot s) {
    this.file = file.toAbsolutePath();
    this.blockSize = s.header().blockSize();
    this.identity = s.header().identity();
    this.writer = new Thread(this::writeLoop, "hexz-trace-writer");
    writer.setDaemon(true);
    writer.start();
  }

  /** {@code d} (stream {@code kind}), noting every block a read touches. */
  public BlockDevice wrap(BlockDevice d, StreamKind kind) {
    return new Traced(d, kind);
  }

  private synchronized void note(StreamKind kind, long offset, long length) {
    if (length <= 0 || entries.size() >= BootTrace.MAX_ENTRIES) {
      return;
    }
    BitSet bits = seen.computeIfAbsent(kind, k -> new BitSet());
    int millis = (int) Math.min(Integer.MAX_VALUE, (System.nanoTime() - start) / 1_000_000);
    for (long b = offset / blockSize; b <= (offset + length - 1) / blockSize; b++) {
      if (b > Integer.MAX_VALUE || bits.get((int) b)) {
        continue;
      }
      bits.set((int) b);
      entries.add(new BootTrace.Entry(kind, b, millis));
      if (entries.size() >= BootTrace.MAX_ENTRIES) {
        LOG.log(System.Logger.Level.WARNING, "{0}: the trace is full ({1} blocks); later reads are not recorded",
            file, BootTrace.MAX_ENTRIES);
        return;
      }
    }
  }

  private void writeLoop() {
    while (!closed) {
      try {
        Thread.sleep(PERIOD_MS);
        flush();
      } catch (InterruptedException e) {
        return;
      } catch (IOException e) {
        LOG.log(System.Logger.Level.WARNING, "{0}: cannot write the block trace: {1}", file, e.getMessage());
      }
    }
  }

  /** Writes the trace if it grew since the last write. */
  public void flush() throws IOException {
    byte[] bytes;
    synchronized (this) {
      if (entries.size() == written && Files.exists(file)) {
        return;
      }
      written = entries.size();
      bytes = new BootTrace(blockSize, identity, entries).encode();
    }
    synchronized (fileLock) {
      Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
      try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
          c.write(b);
        }
        c.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** First reads recorded so far. */
  public synchronized int size() {
    return entries.size();
  }

  @Override
  public void close() throws IOException {
    closed = true;
    writer.interrupt();
    flush();
  }

  /** A stream that tells the recorder what is read. */
  private final class Traced extends AbstractBlockDevice {
    private final BlockDevice d;
    private final StreamKind kind;

    Traced(BlockDevice d, StreamKind kind) {
      this.d = d;
      this.kind = kind;
    }

    @Override
    public long size() {
      return d.size();
    }

    @Override
    protected int readChecked(ByteBuffer dst, long offset) throws IOException {
      int n = d.read(dst, offset);
      note(kind, offset, n);
      return n;
    }

    @Override
    protected int transferChecked(long offset, int length, byte[] scratch, Sink sink) throws IOException {
      int n = d.transferTo(offset, length, scratch, sink);
      note(kind, offset, n);
      return n;
    }

    @Override
    protected Extent extentAtChecked(long offset, long length) throws IOException {
      return d.extentAt(offset, length);
    }

    @Override
    public void close() {} // the snapshot owns the stream
  }
}
