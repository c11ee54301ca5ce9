package io.hexz.read;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongConsumer;

/**
 * Detects sequential access on one stream and loads the next blocks in the background.
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

  private final ExecutorService pool;
  private final long blocks;
  private final int window;
  private final LongConsumer loader;
  private volatile long lastBlock = -2;
  private volatile int run;
  private volatile long aheadTo = -1;

  Prefetcher(ExecutorService pool, long blocks, int window, LongConsumer loader) {
    this.pool = pool;
    this.blocks = blocks;
    this.window = window;
    this.loader = loader;
  }

  void onRead(long first, long last) {
    long prev = lastBlock;
    lastBlock = last;
    // FUSE delivers a sequential stream as concurrent requests that may arrive slightly out of
    // order, so "near the previous read" counts as sequential; a jump further away is random.
    if (first < prev - NEAR || first > prev + NEAR) {
      run = 0;
      aheadTo = last;
      return;
    }
    if (++run < RUN_TO_START) {
      return;
    }
    long target = Math.min(blocks - 1, last + window);
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
