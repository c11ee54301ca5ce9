package io.hexz.read;

import io.hexz.format.PrefetchPlan;
import io.hexz.format.StreamKind;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Loads a snapshot's prefetch plan (its boot trace's blocks, in first-read order) into the block
 * cache from the moment it is opened, ahead of the reader.
 *
 * <p>Bounds: at most {@code parallel} blocks load at once (remote sources overlap that many round
 * trips: 8 hides a 30 ms latency behind ~1 MB of 64 KiB blocks in flight; a local file gains
 * nothing past 2), and the plan stops after half the cache's bytes, so that it never evicts what
 * it loaded itself nor more than half of what readers use. Demand reads are not queued behind
 * it: they run on their own threads, and one that needs a block the plan is loading waits for
 * that same load (the cache loads a key once) instead of issuing another. Entries outside their
 * stream are skipped. Reads of planned blocks start no sequential readahead: the plan holds what
 * a boot reads, and readahead past those reads fetched 2.6 times the boot's bytes over HTTP.
 * Memory: the plan (8 bytes per entry, twice) and {@code parallel} blocks.
 *
 * <p>Concurrency: one named daemon thread walks the plan; loads run on a pool of {@code
 * parallel} named threads; {@link #close} stops both at the next block.
 */
public final class PlanPrefetch implements java.io.Closeable {
  private static final System.Logger LOG = System.getLogger(PlanPrefetch.class.getName());
  private final Thread walker;
  private final ExecutorService loads;
  private volatile boolean stopped;
  private volatile int loaded;

  private PlanPrefetch(SnapshotFile s, PrefetchPlan plan, long budget, int parallel) {
    this.loads = Pools.bounded("hexz-plan-load", parallel, parallel);
    this.walker = new Thread(() -> walk(s, plan, budget, parallel), "hexz-plan-" + s.name().replaceAll(".*/", ""));
    walker.setDaemon(true);
  }

  /**
   * Starts loading {@code s}'s plan (its own or its nearest parent's), 8 blocks at a time from a
   * remote source, 2 from a local file; empty if it has none or has no cache to load into.
   */
  public static java.util.Optional<PlanPrefetch> start(Snapshot s) {
    return start(s, ((SnapshotFile) s).source().remoteStats().isPresent() ? 8 : 2);
  }

  /** As {@link #start(Snapshot)} with {@code parallel} blocks in flight (1..64). */
  public static java.util.Optional<PlanPrefetch> start(Snapshot s, int parallel) {
    if (parallel < 1 || parallel > 64) {
      throw new IllegalArgumentException("parallel (" + parallel + ") must be 1..64");
    }
    PrefetchPlan plan = Snapshots.prefetchPlan(s).orElse(null);
    SnapshotFile f = (SnapshotFile) s;
    long budget = f.cacheBytes() / 2;
    if (plan == null || plan.size() == 0 || budget <= 0) {
      return java.util.Optional.empty();
    }
    for (StreamKind k : new StreamKind[] {StreamKind.DISK, StreamKind.MEMORY}) {
      StreamReader r = f.reader(k);
      if (r != null) {
        r.plan(java.util.stream.IntStream.range(0, plan.size()).filter(i -> plan.stream(i) == k)
            .mapToLong(plan::block).sorted().distinct().toArray());
      }
    }
    PlanPrefetch p = new PlanPrefetch(f, plan, budget, parallel);
    p.walker.start();
    return java.util.Optional.of(p);
  }

  private void walk(SnapshotFile s, PrefetchPlan plan, long budget, int parallel) {
    Semaphore slots = new Semaphore(parallel);
    long spent = 0;
    long t0 = System.nanoTime();
    try {
      for (int i = 0; i < plan.size() && !stopped && spent < budget; i++) {
        StreamKind k = plan.stream(i);
        StreamReader r = s.reader(k);
        long b = plan.block(i);
        if (r == null || b >= r.blocks()) {
          continue;
        }
        spent += r.blockSize();
        slots.acquire();
        try {
          loads.execute(() -> {
            try {
              r.prefetch(b);
              loaded++;
            } finally {
              slots.release();
            }
          });
        } catch (java.util.concurrent.RejectedExecutionException e) {
          slots.release();
          return; // closed
        }
      }
      slots.acquire(parallel); // the last loads, for the log line
      LOG.log(System.Logger.Level.DEBUG, "{0}: prefetch plan: {1} of {2} blocks loaded in {3} ms", s.name(), loaded,
          plan.size(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      loads.shutdown();
    }
  }

  /**
   * What a plan holds: {@code blocks} entries (those inside their streams), {@code bytes} of
   * content, {@code storedBytes} of payload in the file, within the file range {@code [firstOffset,
   * endOffset)} (one contiguous range when the plan was laid out first; zero blocks store nothing).
   */
  public record Summary(int blocks, long bytes, long storedBytes, long firstOffset, long endOffset) {}

  /** Summarizes {@code s}'s plan (its own or its nearest parent's) from the index; empty without one. */
  public static java.util.Optional<Summary> summarize(Snapshot s) throws java.io.IOException {
    PrefetchPlan plan = Snapshots.prefetchPlan(s).orElse(null);
    if (plan == null) {
      return java.util.Optional.empty();
    }
    SnapshotFile f = (SnapshotFile) s;
    int n = 0;
    long bytes = 0;
    long stored = 0;
    long first = Long.MAX_VALUE;
    long end = 0;
    for (int i = 0; i < plan.size(); i++) {
      StreamReader r = f.reader(plan.stream(i));
      long b = plan.block(i);
      if (r == null || b >= r.blocks()) {
        continue;
      }
      n++;
      bytes += Math.min(r.blockSize(), r.size() - b * r.blockSize());
      io.hexz.format.IndexPage leaf = r.leafFor(b);
      int k = (int) (b - leaf.firstBlock());
      io.hexz.format.BlockKind kind = io.hexz.format.BlockKind.fromId(leaf.kindId(k));
      if (kind != null && kind.hasPayload()) {
        stored += leaf.storedLength(k);
        first = Math.min(first, leaf.offset(k));
        end = Math.max(end, leaf.offset(k) + leaf.storedLength(k));
      }
    }
    return java.util.Optional.of(new Summary(n, bytes, stored, first == Long.MAX_VALUE ? 0 : first, end));
  }

  /** Blocks loaded so far. */
  public int loaded() {
    return loaded;
  }

  /** Waits at most {@code millis} for the plan to be loaded (tests, benchmarks); true if it was. */
  public boolean await(long millis) throws InterruptedException {
    walker.join(millis);
    return !walker.isAlive() && loads.awaitTermination(Math.max(1, millis), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    stopped = true;
    loads.shutdownNow();
    walker.interrupt();
  }
}
