package io.hexz.fuzz;

import io.hexz.read.BlockDevice;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * The oracle every fuzz target shares. One input passes when its check either returns (every
 * byte read back was exactly the original) or throws an {@link IOException} whose message names
 * one of the target's files. It fails, with the cause, on anything else: another exception or
 * error (OutOfMemoryError under the fuzz JVM's small heap is how an allocation sized by an
 * unchecked field shows), wrong bytes, or a check that does not finish within the per-input
 * timeout ({@code -Dhexz.fuzz.inputTimeout=SECONDS}, default 20; the stack of the stuck thread
 * is in the failure). Jazzer then saves the input under src/test/resources/.../*Inputs, where
 * the next run replays it.
 *
 * <p>Counts what it saw and prints one line per target at the end: how many inputs ran, how many
 * read back intact, how many were refused and by which exception.
 *
 * <p>Concurrency: the fuzzer calls {@link #check} from one thread; each check runs on the
 * thread "hexz-fuzz-check" so that a hang can be reported instead of blocking the run.
 */
final class Harness {
  /** What one input's check does; throws IOException when the reader refuses the input. */
  interface Check {
    void run() throws Exception;
  }

  private static final long TIMEOUT_SECONDS = Long.getLong("hexz.fuzz.inputTimeout", 20);

  private final String target;
  private final List<String> names;
  private final long started = System.nanoTime();
  private long inputs;
  private long intact;
  private long skipped;
  private final Map<String, Long> refusals = new TreeMap<>();
  private ExecutorService checker = newChecker();

  /**
   * @param names file names an error message may name (the mutated file, its parents)
   */
  Harness(String target, String... names) {
    this.target = target;
    this.names = List.of(names);
  }

  private static ExecutorService newChecker() {
    return Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "hexz-fuzz-check");
      t.setDaemon(true);
      return t;
    });
  }

  /** An input the target decided not to open (a cost the format allows but the test does not pay). */
  synchronized void skip() {
    inputs++;
    skipped++;
  }

  void check(String what, Check c) {
    Future<?> f = checker.submit(() -> {
      c.run();
      return null;
    });
    synchronized (this) {
      inputs++;
    }
    try {
      f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      synchronized (this) {
        intact++;
      }
    } catch (TimeoutException e) {
      String stack = stackOf("hexz-fuzz-check");
      f.cancel(true);
      checker.shutdownNow();
      checker = newChecker();
      throw new AssertionError(target + ": no answer within " + TIMEOUT_SECONDS + " s (a hang?) for " + what
          + "\n" + stack);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } catch (ExecutionException e) {
      Throwable t = e.getCause();
      if (t instanceof IOException io) {
        String msg = String.valueOf(io.getMessage());
        if (names.stream().noneMatch(msg::contains)) {
          throw new AssertionError(target + ": error that names none of " + names + " for " + what + ": " + io, io);
        }
        synchronized (this) {
          refusals.merge(io.getClass().getSimpleName(), 1L, Long::sum);
        }
        return;
      }
      if (t instanceof AssertionError a) {
        throw new AssertionError(target + ": " + a.getMessage() + " for " + what, a);
      }
      throw new AssertionError(target + ": not an IOException for " + what + ": " + t, t);
    }
  }

  private static String stackOf(String threadName) {
    for (ThreadInfo ti : ManagementFactory.getThreadMXBean().dumpAllThreads(false, false)) {
      if (ti.getThreadName().equals(threadName)) {
        StringBuilder sb = new StringBuilder();
        for (StackTraceElement el : ti.getStackTrace()) {
          sb.append("\tat ").append(el).append('\n');
        }
        return sb.toString();
      }
    }
    return "(thread " + threadName + " not found)";
  }

  /** One line for the build log: inputs, outcomes, time. */
  synchronized String summary() {
    double s = (System.nanoTime() - started) / 1e9;
    long refused = refusals.values().stream().mapToLong(Long::longValue).sum();
    return String.format("[hexz-fuzz] %s: %d inputs in %.1f s (%s): %d read back exact, %d refused %s%s", target,
        inputs, s, System.getenv("JAZZER_FUZZ") == null ? "regression: saved inputs only" : "fuzzing", intact,
        refused, refusals, skipped > 0 ? ", " + skipped + " skipped (KDF cost above the test's bound)" : "");
  }

  /** Prints the summary, stops the check thread and deletes {@code dir}. */
  void finish(Path dir) throws IOException {
    System.out.println(summary());
    checker.shutdownNow();
    deleteTree(dir);
  }

  // ---- oracle helpers

  /** What {@link #readExact} throws when a stream does not read back as the original. */
  static final class WrongContent extends AssertionError {
    private static final long serialVersionUID = 1L;

    WrongContent(String message) {
      super(message);
    }
  }

  /** Reads all of {@code dev} in chunks of {@code chunk} bytes and requires exactly {@code expected}. */
  static void readExact(BlockDevice dev, byte[] expected, int chunk, String what) throws IOException {
    if (dev.size() != expected.length) {
      throw new WrongContent(what + ": size " + dev.size() + " served, the original is " + expected.length);
    }
    ByteBuffer buf = ByteBuffer.allocate(chunk);
    long pos = 0;
    while (pos < expected.length) {
      buf.clear().limit((int) Math.min(chunk, expected.length - pos));
      int n = dev.read(buf, pos);
      if (n <= 0) {
        throw new WrongContent(what + ": read at " + pos + " of " + expected.length + " returned " + n);
      }
      byte[] got = Arrays.copyOf(buf.array(), n);
      int m = Arrays.mismatch(got, 0, n, expected, (int) pos, (int) pos + n);
      if (m >= 0) {
        throw new WrongContent(what + ": WRONG BYTES at offset " + (pos + m));
      }
      pos += n;
    }
  }

  /** A fresh directory for one target's files. */
  static Path tempDir(String target) throws IOException {
    return Files.createTempDirectory("hexz-fuzz-" + target);
  }

  static void deleteTree(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}
