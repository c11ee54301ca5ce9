package io.hexz.read;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongConsumer;

/**
 * Detects sequential access on one stream and loads the next blocks in the background.
 *
 * <p>Window: like the kernel's readahead, the window grows with the evidence. A run that has just
 * become sequential loads {@link #FIRST_WINDOW} blocks ahead; every further read that continues it
 * doubles the window, up to the configured one. A stream read front to back reaches the full
 * window within a few reads (a 128 KiB FUSE read of 64 KiB blocks: seven reads, under 1 MiB);
 * the short runs of a boot (a few neighbouring blocks, then a jump) load a few blocks past
 * their end instead of a whole window each. Measured on the reads of a Debian systemd boot
 * (`native-test/bench-boot`): a fixed 64-block window read 37 MB of the snapshot for 12.6 MB of
 * compressed blocks the boot needed.
 *
 * <p>Concurrency: thread-safe by tolerance. {@code lastBlock}, {@code run} and {@code aheadTo}
 * are volatile and updated without locks; a race between readers can only make the prefetcher
 * skip or repeat a block, and repeating is harmless because loads go through the cache, which
 * loads a key once. {@link #onRead} never blocks: when the pool's queue is full the rest of the
 * window is dropped. A read that does not continue the previous one resets the run, which stops
 * prefetching on random access.
 */
final class Prefetcher {
  /** Sequential reads needed before prefetching starts. */
  private static final int RUN_TO_START = 2;
  /** How far (in blocks) a read may land from the previous one and still continue a run. */
  private static final int NEAR = 4;
  /** Blocks loaded ahead when a run has just become sequential. */
  static final int FIRST_WINDOW = 2;

  private final ExecutorService pool;
  private final long blocks;
  private final int window;
  private final LongConsumer loader;
  private volatile long lastBlock = -2;
  private volatile int run;
  private volatile long aheadTo = -1;
  private volatile int current; // the window of the current run, in blocks; 0 before it starts

  Prefetcher(ExecutorService pool, long blocks, int window, LongConsumer loader) {
    this.pool = pool;
    this.blocks = blocks;
    this.window = window;
    this.loader = loader;
  }

  void onRead(long first, long last) {
    long prev = lastBlock;
    // FUSE delivers a sequential stream as concurrent requests that may arrive slightly out of
    // order, so "near the previous read" counts as sequential; a jump further away is random.
    if (first < prev - NEAR || first > prev + NEAR) {
      lastBlock = last;
      run = 0;
      current = 0;
      aheadTo = last;
      return;
    }
    if (last <= prev) {
      // No progress: a re-read of the same blocks (a hot block, a mount's warm-up) or a late
      // out-of-order read neither grows the run nor ends it.
      return;
    }
    lastBlock = last;
    if (++run < RUN_TO_START) {
      return;
    }
    int w = current == 0 ? Math.min(window, FIRST_WINDOW) : (int) Math.min(window, 2L * current);
    current = w;
    long target = Math.min(blocks - 1, last + w);
    long from = Math.max(aheadTo + 1, last + 1);
    long b = from;
    try {
      for (; b <= target; b++) {
        long block = b;
        pool.execute(() -> loader.accept(block));
      }
    } catch (RejectedExecutionException e) {
      // Queue full or pool shut down: the readers are ahead of us anyway.
    }
    if (b - 1 > aheadTo) {
      aheadTo = b - 1;
    }
  }
}
