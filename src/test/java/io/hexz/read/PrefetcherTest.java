package io.hexz.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PrefetcherTest {
  /** Runs each task at once on the caller's thread, so the loads are known when onRead returns. */
  private static final class Inline extends AbstractExecutorService {
    @Override public void execute(Runnable r) { r.run(); }
    @Override public void shutdown() {}
    @Override public List<Runnable> shutdownNow() { return List.of(); }
    @Override public boolean isShutdown() { return false; }
    @Override public boolean isTerminated() { return false; }
    @Override public boolean awaitTermination(long t, TimeUnit u) { return true; }
  }

  private final List<Long> loaded = new ArrayList<>();
  private final Prefetcher p = new Prefetcher(new Inline(), 1_000_000, 64, loaded::add);

  @Test
  void aSequentialStreamRampsUpToTheFullWindow() {
    List<Integer> ahead = new ArrayList<>();
    for (long b = 0; b < 40; b += 2) {
      p.onRead(b, b + 1);
      ahead.add((int) (loaded.isEmpty() ? -1 : loaded.get(loaded.size() - 1) - (b + 1)));
    }
    // reads 0-1 (no run), 2-3 (first window: 2), then 4, 8, 16, 32, 64 ahead
    assertEquals(List.of(-1, 2, 4, 8, 16, 32, 64, 64, 64), ahead.subList(0, 9));
    for (int i = 1; i < loaded.size(); i++) {
      assertEquals(loaded.get(i - 1) + 1, loaded.get(i), "each block is loaded once, in order");
    }
  }

  @Test
  void shortRunsLoadAFewBlocksPastTheirEndNotAWindow() {
    for (long start = 1000; start <= 100 * 1000; start += 1000) { // runs of three reads, then a jump
      p.onRead(start, start);
      p.onRead(start + 1, start + 1);
      p.onRead(start + 2, start + 2);
    }
    // per run: the jump starts it, the second read continues it, the third loads 2 ahead (a fixed
    // window loaded 64)
    assertEquals(100 * Prefetcher.FIRST_WINDOW, loaded.size());
  }

  @Test
  void reReadingTheSameBlocksLoadsNothingAndALateReadDoesNotEndTheRun() {
    for (int i = 0; i < 1000; i++) {
      p.onRead(500, 500); // a hot block read again and again
    }
    assertEquals(List.of(), loaded, "re-reads are not a sequential run");
    p.onRead(501, 501);
    p.onRead(502, 502); // run of three: 2 ahead
    p.onRead(501, 501); // late, out of order
    p.onRead(503, 503); // continues: 4 ahead
    assertEquals(List.of(503L, 504L, 505L, 506L, 507L), loaded);
  }

  @Test
  void randomReadsLoadNothing() {
    for (long b = 0; b < 50_000; b += 997) {
      p.onRead(b, b + 1);
    }
    assertTrue(loaded.isEmpty(), loaded.toString());
  }

  @Test
  void theWindowStopsAtTheLastBlock() {
    Prefetcher small = new Prefetcher(new Inline(), 10, 64, loaded::add);
    for (long b = 0; b < 10; b++) {
      small.onRead(b, b);
    }
    assertEquals(9L, loaded.get(loaded.size() - 1));
    assertEquals(loaded.size(), loaded.stream().distinct().count());
  }
}
