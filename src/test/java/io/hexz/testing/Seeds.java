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
    long h = base;
    for (Object p : parts) {
      h = h * 0x9E3779B97F4A7C15L + String.valueOf(p).hashCode();
      h ^= h >>> 29;
    }
    BASE_OF.putIfAbsent(h, base);
    return h;
  }

  /**
   * "seed=N (rerun with -Dhexz.seed=B)", for assertion messages: B is the base seed N was derived
   * from (N itself if it was not derived), because -Dhexz.seed sets the base and every case
   * derives its own seed from it again.
   */
  public static String describe(long seed) {
    long rerun = seed;
    for (int i = 0; i < 16 && BASE_OF.containsKey(rerun); i++) {
      rerun = BASE_OF.get(rerun);
    }
    return "seed=" + seed + " (rerun with -Dhexz.seed=" + rerun + ")";
  }

  /** Derived seed -> the seed it was derived from. */
  private static final java.util.Map<Long, Long> BASE_OF = new java.util.concurrent.ConcurrentHashMap<>();

  private static long fromProperty(long otherwise) {
    String p = System.getProperty("hexz.seed");
    return p == null || p.isBlank() ? otherwise : Long.decode(p.trim());
  }

  private static long announce(Class<?> test, long seed) {
    System.out.println("[hexz] " + test.getSimpleName() + " " + describe(seed));
    return seed;
  }
}
