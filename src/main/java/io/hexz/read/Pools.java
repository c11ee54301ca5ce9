package io.hexz.read;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Creates hexz's small thread pools: named daemon threads, bounded queues. Stateless. */
public final class Pools {
  private Pools() {}

  /** A factory of daemon threads named {@code prefix-N}. */
  public static ThreadFactory named(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * A pool of up to {@code threads} threads whose queue holds at most {@code queue} tasks;
   * submitting to a full queue throws {@link java.util.concurrent.RejectedExecutionException}
   * instead of blocking the caller.
   */
  public static ExecutorService bounded(String prefix, int threads, int queue) {
    ThreadPoolExecutor p = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(queue), named(prefix), new ThreadPoolExecutor.AbortPolicy());
    p.allowCoreThreadTimeOut(true);
    return p;
  }
}
