package io.hexz.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hexz.Hexz;
import io.hexz.codec.CodecType;
import io.hexz.testing.Snaps;
import io.hexz.testing.TestData;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/**
 * The block-device contract for the disk stream of a thin snapshot at the end of a three-level
 * chain (base, thin child, thin grandchild): blocks come from all three files, and the newest
 * file is longer than its parents.
 */
class ThinChainDeviceTest extends AbstractBlockDeviceTest {
  @Override
  protected Subject create(Path dir, Random rnd) throws Exception {
    int bs = 8192;
    byte[] base = TestData.mixed(1_000_000 + 17, bs, rnd);
    byte[] child = changeSomeBlocks(base, bs, rnd, 1_200_000 + 3);
    byte[] grandchild = changeSomeBlocks(child, bs, rnd, 1_300_000 + 11);
    Path p0 = dir.resolve("base.hxz");
    Path p1 = dir.resolve("child.hxz");
    Path p2 = dir.resolve("grandchild.hxz");
    Snaps.write(p0, Snaps.options(bs, CodecType.LZ4, 0, true).build(), base);
    Snaps.write(p1, Snaps.options(bs, CodecType.ZSTD, 3, true).parent(p0).build(), child);
    Snaps.write(p2, Snaps.options(bs, CodecType.LZ4, 9, true).parent(p1).build(), grandchild);
    Snapshot s = Hexz.open(p2, ReadOptions.DEFAULTS);
    assertTrue(s.header().isThin(), "the grandchild must be thin");
    long fromParents = Hexz.analyze(p2).streams().get(0).parentBlocks();
    assertTrue(fromParents > 10, "the chain must share blocks: " + fromParents);
    assertEquals(3, Snapshots.chain(s).size(), "three files in the chain");
    return new Subject(s.disk(), grandchild, bs, s);
  }

  /** A copy of {@code from}, resized to {@code size}, with about a third of its blocks rewritten. */
  private static byte[] changeSomeBlocks(byte[] from, int bs, Random rnd, int size) {
    byte[] out = Arrays.copyOf(from, size);
    System.arraycopy(TestData.mixed(size - from.length, bs, rnd), 0, out, from.length, size - from.length);
    for (int off = 0; off < from.length; off += bs) {
      if (rnd.nextInt(3) == 0) {
        int len = Math.min(bs, from.length - off);
        int within = rnd.nextInt(len);
        int n = 1 + rnd.nextInt(len - within);
        System.arraycopy(TestData.mixed(n, bs, rnd), 0, out, off + within, n);
      }
    }
    return out;
  }
}
