package io.hexz.testing;

import java.security.SecureRandom;

/**
 * Seeds for randomized tests. Every seed is printed so that a failure can be replayed with
 * {@code mvn test -Dhexz.seed=N}; assertion messages carry it too. Stateless.
 */
public final class Seeds {
  private Seeds() {}

  /** A fresh random seed per run, or {@code -Dhexz.seed} when given. */
  public static long random(Class<?> test) {
    return announce(test, fromProperty(new SecureRandom().nextLong()));
  }

  /** {@code fixed} unless {@code -Dhexz.seed} is given: for suites that must be deterministic. */
  public static long fixed(Class<?> test, long fixed) {
    return announce(test, fromProperty(fixed));
  }

  /** A seed derived from {@code base} and the parameters of one test case. */
  public static long derive(long base, Object... parts) {
    // A failing case prints its derived seed; -Dhexz.seed=THAT pins every case to it, which
    // replays the failing one exactly.
    String pinned = System.getProperty("hexz.seed");
    if (pinned != null && !pinned.isBlank()) {
      return Long.decode(pinned.trim());
    }
    long h = base;
    for (Object p : parts) {
      h = h * 0x9E3779B97F4A7C15L + String.valueOf(p).hashCode();
      h ^= h >>> 29;
    }
    return h;
  }

  /** "seed=N (rerun with -Dhexz.seed=N)", for assertion messages. */
  public static String describe(long seed) {
    return "seed=" + seed + " (rerun with -Dhexz.seed=" + seed + ")";
  }

  private static long fromProperty(long otherwise) {
    String p = System.getProperty("hexz.seed");
    return p == null || p.isBlank() ? otherwise : Long.decode(p.trim());
  }

  private static long announce(Class<?> test, long seed) {
    System.out.println("[hexz] " + test.getSimpleName() + " " + describe(seed));
    return seed;
  }
}
