package io.hexz.overlay;

import static io.hexz.overlay.Overlay.PAGE_SIZE;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * When a writable overlay compacts itself, and how its writers wait for that: a background
 * compaction starts when the log holds more than twice the stored pages plus the slack, and a
 * writer that finds the log past twice the stored pages plus twice the slack while one runs waits
 * for it (back-pressure). What those bounds give and cost is in FORMAT.md (Compaction) and
 * ARCHITECTURE.md (Overlay, measured).
 *
 * <p>Concurrency: thread-safe. At most one compaction thread ("hexz-overlay-compact") runs at a
 * time ({@code compacting}); it notifies {@code compactDone} after each pass and when it ends, and
 * writers in {@link #throttle} wait on it. The overlay's lock is taken only to read the
 * {@link Usage} (its read lock, briefly), and {@link #throttle} does so holding
 * {@code compactDone}: the overlay never takes that monitor while holding its lock, so the order
 * is always the monitor, then the lock. The compaction itself takes the overlay's locks.
 */
final class AutoCompaction {
  private static final System.Logger LOG = System.getLogger(OverlayFile.class.getName());
  /**
   * Default slack before an automatic compaction: 64 MiB, or the system property
   * {@code hexz.overlay.slack} (bytes; the crash tests make compactions frequent with it).
   */
  static final long DEFAULT_SLACK = Math.max(0, Long.getLong("hexz.overlay.slack", 64L << 20));
  /** The least slack in effect (an overlay smaller than this compacts once its log passes 2 × live + 4 MiB). */
  static final long MIN_SLACK = Math.min(DEFAULT_SLACK, 4L << 20);

  /** The overlay's log bytes after the header and its stored pages, read together under its lock. */
  record Usage(long logBytes, long storedPages) {}

  /** A compaction of the overlay, run on the compaction thread. */
  interface Compactor {
    void compact() throws IOException;
  }

  private final Path path;
  private final Supplier<Usage> usage;
  private final BooleanSupplier closing;
  private final Compactor compactor;
  private final AtomicBoolean compacting = new AtomicBoolean();
  /** Notified after each compaction pass (writers waiting in {@link #throttle}). */
  private final Object compactDone = new Object();
  /** Log bytes allowed beyond twice the live pages before compaction runs (see {@link #overBy}). */
  private volatile long slack = DEFAULT_SLACK;
  /**
   * Set by {@link #setSlack} or the system property: the slack is that many bytes, whatever the
   * overlay holds (tests and benchmarks make compactions frequent, or turn them off, with it).
   */
  private volatile boolean exactSlack = System.getProperty("hexz.overlay.slack") != null;

  /**
   * A policy for the overlay at {@code path} (named in warnings), whose usage {@code usage}
   * reads, which {@code closing} says is closing, and which {@code compactor} compacts.
   */
  AutoCompaction(Path path, Supplier<Usage> usage, BooleanSupplier closing, Compactor compactor) {
    this.path = path;
    this.usage = usage;
    this.closing = closing;
    this.compactor = compactor;
  }

  /** Sets the slack allowed before an automatic compaction (tests use small ones). */
  void setSlack(long bytes) {
    slack = bytes;
    exactSlack = true;
  }

  /**
   * Starts a background compaction when the log holds more than twice the live pages plus the
   * slack: so the file stays within 2 × live + slack (+ the writes of one compaction's duration)
   * however often pages are rewritten, and a compaction's cost is paid at most once per
   * live-size of new writes.
   */
  void maybeCompact() {
    if (closing.getAsBoolean() || !overThreshold() || !compacting.compareAndSet(false, true)) {
      return;
    }
    Thread t = new Thread(() -> {
      try {
        // Writes that arrive while a compaction runs do not start another one, so check again
        // after each: without this, the log could stay past the bound until the next write.
        int passes = 0;
        do {
          compactor.compact();
          synchronized (compactDone) {
            compactDone.notifyAll();
          }
        } while (!closing.getAsBoolean() && ++passes < 3 && overThreshold());
      } catch (IOException | RuntimeException e) {
        if (!closing.getAsBoolean()) {
          LOG.log(System.Logger.Level.WARNING, "{0}: background compaction failed, the log keeps growing: {1}",
              path, e.getMessage());
        }
      } finally {
        compacting.set(false);
        synchronized (compactDone) {
          compactDone.notifyAll();
        }
      }
      if (!closing.getAsBoolean() && overThreshold()) {
        maybeCompact(); // a write raced the end of the last pass
      }
    }, "hexz-overlay-compact");
    t.setDaemon(true);
    t.start();
  }

  /**
   * Back-pressure: a writer that finds the log past twice the stored pages plus twice the slack
   * while a compaction runs waits for it (at most 10 s), so a writer faster than compaction cannot
   * grow the file without bound.
   */
  void throttle() {
    if (!compacting.get() || closing.getAsBoolean()) {
      return;
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    synchronized (compactDone) {
      try {
        while (compacting.get() && !closing.getAsBoolean() && overBy(2) && System.nanoTime() < deadline) {
          compactDone.wait(100);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Whether the log holds more than twice the stored pages plus {@code slacks} times the slack.
   * The slack in effect is the stored bytes, at least {@link #MIN_SLACK} and at most the
   * configured slack ({@link #DEFAULT_SLACK}, 64 MiB): so a small overlay stays a few times its
   * live pages (4 MiB rewritten forever: under ~20 MiB), and a compaction, which copies the live
   * pages, still runs at most once per live size of new writes. A slack set by a test is exact.
   */
  private boolean overBy(int slacks) {
    Usage u = usage.get();
    long live = u.storedPages() * PAGE_SIZE;
    long s = exactSlack ? slack : Math.min(slack, Math.max(MIN_SLACK, live));
    long limit = s > Long.MAX_VALUE / slacks ? Long.MAX_VALUE : slacks * s;
    // discarded pages cost 16 bytes of map, nothing in the log
    return u.logBytes() - 2 * u.storedPages() * (PAGE_SIZE + 16) > limit;
  }

  /** Whether the log holds more than twice the stored pages plus the slack. */
  private boolean overThreshold() {
    return overBy(1);
  }
}
