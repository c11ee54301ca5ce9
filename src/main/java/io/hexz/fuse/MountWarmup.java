package io.hexz.fuse;

import io.hexz.read.BlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Runs the read path of a fresh mount before the mount is announced, so that the first reads of
 * its user (a VM booting) do not pay for it. A fresh JVM runs every method interpreted, links its
 * lambdas and method handles on first use and compiles the hot ones after thousands of calls: the
 * reads of a Debian boot replayed against a fresh mount spent ~100 ms more CPU in the mount than
 * against one that had answered a few thousand reads first ({@code native-test/bench-boot}).
 * {@link io.hexz.codec.Warmup} compiles the decoders; this covers everything around them: the
 * kernel's FUSE request, jnr's up-call, the file system's read, the block cache and the copy out.
 *
 * <p>It reads the mounted file itself, with {@code O_DIRECT} so that the kernel passes every read
 * to this process instead of answering from its page cache: small and large reads of the first
 * data blocks (found from the index: zero blocks take another path), loaded once and then read
 * from the cache, as a booting guest's reads are. At most {@link #BUDGET_NANOS}; the blocks it reads
 * stay in the cache like any others. Re-reads do not start the prefetcher (no progress), so it
 * loads two blocks. Local snapshots only: over a network its reads would be requests the user did
 * not ask for. Any failure only ends the warm-up.
 */
final class MountWarmup {
  private static final System.Logger LOG = System.getLogger(MountWarmup.class.getName());
  /** Reads of the same few blocks (cached after the first): enough for the JIT to compile the request path. */
  private static final int READS = 3000;
  private static final int SMALL = 4096;
  private static final int LARGE = 128 << 10;
  static final long BUDGET_NANOS = 1_000_000_000L;

  private MountWarmup() {}

  /** Reads {@code file}, the mount's view of {@code device}, as described above; never throws. */
  static void run(Path file, BlockDevice device) {
    long start = System.nanoTime();
    int reads = 0;
    try {
      long base = firstData(device);
      if (base < 0) {
        return;
      }
      OpenOption direct = com.sun.nio.file.ExtendedOpenOption.DIRECT;
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, direct)) {
        ByteBuffer buf = ByteBuffer.allocateDirect(LARGE + SMALL).alignedSlice(SMALL);
        for (; reads < READS && System.nanoTime() - start < BUDGET_NANOS; reads++) {
          int len = reads % 8 == 7 ? LARGE : SMALL;
          long off = base + (long) (reads % 16) * SMALL;
          if (off + len > device.size()) {
            off = base;
            len = SMALL;
          }
          buf.clear().limit(len);
          ch.read(buf, off);
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, () -> file + ": read warm-up stopped: " + e);
    }
    int done = reads;
    LOG.log(System.Logger.Level.DEBUG, () -> file + ": read warm-up: " + done + " reads in "
        + (System.nanoTime() - start) / 1_000_000 + " ms");
  }

  /**
   * Where the warm-up reads: the first data (not zeros) of the device, 4 KiB-aligned, with room for
   * a large read; from the index, without reading blocks. The first blocks, because a booting
   * guest reads them first anyway (partition table, superblock), so the warm-up loads nothing the
   * boot would not; -1 if the device holds no data there.
   */
  static long firstData(BlockDevice device) throws IOException {
    long size = device.size();
    long at = 0;
    while (at <= size - LARGE) {
      BlockDevice.Extent e = device.extentAt(at, size - at);
      if (!e.zero()) {
        long first = at & -SMALL;
        return first + LARGE <= size ? first : -1;
      }
      at += e.length();
    }
    return -1;
  }
}
