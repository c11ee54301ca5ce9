package io.hexz.store;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Runs a request again after a {@link TransientException}: at most {@code maxRetries} times,
 * sleeping a random time between 0 and {@code base × 2^attempt} (full jitter, at most {@code max};
 * a server's Retry-After is honoured up to {@code max}). Every attempt is itself bounded by the
 * request timeout, so one call takes at most {@code (maxRetries + 1) × requestTimeout +
 * maxRetries × max}. Thread-safe (stateless apart from the shared counters).
 */
final class Retrier {
  private static final System.Logger LOG = System.getLogger(Retrier.class.getName());

  private final int maxRetries;
  private final long baseNanos;
  private final long maxNanos;
  private final Stats stats;

  Retrier(RemoteOptions o, Stats stats) {
    this.maxRetries = o.maxRetries();
    this.baseNanos = o.retryBaseDelay().toNanos();
    this.maxNanos = o.retryMaxDelay().toNanos();
    this.stats = stats;
  }

  /** One request that may fail transiently. */
  interface Attempt<T> {
    T run() throws IOException;
  }

  <T> T call(String name, Attempt<T> attempt) throws IOException {
    for (int n = 0; ; n++) {
      try {
        return attempt.run();
      } catch (TransientException e) {
        if (n >= maxRetries) {
          throw new RemoteException(name, e.reason + " (gave up after " + (n + 1) + (n == 0 ? " attempt)" : " attempts)"),
              e);
        }
        long delay = delayNanos(n, e.retryAfter);
        stats.retries.increment();
        int retry = n + 1;
        LOG.log(System.Logger.Level.DEBUG, () -> name + ": " + e.reason + "; retry " + retry + " of " + maxRetries
            + " in " + Duration.ofNanos(delay).toMillis() + " ms");
        try {
          Thread.sleep(delay / 1_000_000, (int) (delay % 1_000_000));
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          InterruptedIOException x = new InterruptedIOException(name + ": interrupted while waiting to retry");
          x.initCause(e);
          throw x;
        }
      }
    }
  }

  long delayNanos(int attempt, Duration retryAfter) {
    long cap = baseNanos;
    for (int i = 0; i < attempt && cap < maxNanos; i++) {
      cap *= 2;
    }
    cap = Math.min(cap, maxNanos);
    long d = ThreadLocalRandom.current().nextLong(cap + 1);
    if (retryAfter != null && !retryAfter.isNegative()) {
      // Compared as durations: toNanos() overflows past 292 years, which a Retry-After can say.
      d = Math.max(d, retryAfter.compareTo(Duration.ofNanos(maxNanos)) >= 0 ? maxNanos : retryAfter.toNanos());
    }
    return d;
  }
}
