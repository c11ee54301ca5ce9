package io.hexz.codec;

import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Compiles the decoders before the first real read. HotSpot runs a method interpreted until it has
 * been called or looped thousands of times, and only then compiles it with C2; a fresh process
 * decodes its first hundreds of MiB several times slower than a warm one (a fresh `hexz serve`
 * copied a 768 MiB image in 6.2 s where the same process, warm, took 2.0 s). Decoding a few
 * hundred synthetic 64 KiB blocks per codec on a background thread (tens of milliseconds of one
 * core) moves that cost off the first reader. Snapshots start it when opened; a server that
 * should not answer its first client cold waits for it ({@link #await}). Once per JVM.
 * Thread-safe.
 */
public final class Warmup {
  private static final AtomicBoolean STARTED = new AtomicBoolean();
  private static final CountDownLatch DONE = new CountDownLatch(1);
  private static final int BLOCK = 64 * 1024;
  private static final int ROUNDS = 400;

  private Warmup() {}

  /** Starts the warm-up thread, once per JVM; returns at once. */
  public static void start() {
    if (!STARTED.compareAndSet(false, true)) {
      return;
    }
    Thread t = new Thread(() -> {
      try {
        run();
      } finally {
        DONE.countDown();
      }
    }, "hexz-codec-warmup");
    t.setDaemon(true);
    t.setPriority(Thread.MIN_PRIORITY);
    t.start();
  }

  /** Starts the warm-up if needed and waits up to {@code millis} for it; false if it is not done. */
  public static boolean await(long millis) throws InterruptedException {
    start();
    return DONE.await(millis, TimeUnit.MILLISECONDS);
  }

  private static void run() {
    try {
      byte[] block = sample();
      for (CodecType type : new CodecType[] {CodecType.LZ4, CodecType.ZSTD}) {
        Codec c = Codec.shared(type);
        byte[] packed = new byte[c.maxCompressedLength(BLOCK)];
        int n = c.compress(block, 0, BLOCK, packed, 0, packed.length);
        if (n <= 0) {
          continue;
        }
        byte[] out = new byte[BLOCK];
        for (int i = 0; i < ROUNDS; i++) {
          c.decompress(packed, 0, n, out, 0, BLOCK);
        }
      }
    } catch (CodecException | RuntimeException | Error e) { // out of memory, no native library
      // Only speed is at stake: a failure here changes nothing a caller sees.
    }
  }

  /** Compressible but not trivial: words from a small vocabulary with random numbers between. */
  private static byte[] sample() {
    Random r = new Random(42);
    String[] words = {"root", "usr", "share", "lib", "x86_64", "linux", "gnu", "the", "of", "0000", "\n"};
    byte[] b = new byte[BLOCK];
    int i = 0;
    while (i < BLOCK) {
      byte[] w = (r.nextInt(4) == 0 ? Integer.toString(r.nextInt(100_000)) : words[r.nextInt(words.length)])
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      for (int k = 0; k < w.length && i < BLOCK; k++) {
        b[i++] = w[k];
      }
      if (i < BLOCK) {
        b[i++] = ' ';
      }
    }
    return b;
  }
}
