package io.hexz.overlay;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hexz.Hexz;
import io.hexz.codec.CodecType;
import io.hexz.read.AbstractBlockDeviceTest;
import io.hexz.read.ReadOptions;
import io.hexz.read.Snapshot;
import io.hexz.testing.Snaps;
import io.hexz.testing.TestData;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;

/**
 * The block-device contract (reads) for a copy-on-write overlay over a snapshot, after unaligned
 * writes that start, end and span inside 4 KiB overlay pages, some past the base's blocks.
 */
class OverlayDeviceTest extends AbstractBlockDeviceTest {
  @Override
  protected Subject create(Path dir, Random rnd) throws Exception {
    int bs = 16384;
    byte[] data = TestData.mixed(1_500_000 + 123, bs, rnd);
    Path snap = dir.resolve("base.hxz");
    Snaps.write(snap, Snaps.options(bs, CodecType.LZ4, 0, true).build(), data);
    Snapshot base = Hexz.open(snap, ReadOptions.DEFAULTS);
    Overlay o = Overlay.open(dir.resolve("base.overlay"), base.disk(), base.header().identity());
    byte[] expected = data.clone();
    for (int i = 0; i < 200; i++) {
      int off = rnd.nextInt(expected.length - 1);
      int len = Math.min(expected.length - off, 1 + rnd.nextInt(rnd.nextBoolean() ? 64 : 3 * Overlay.PAGE_SIZE));
      byte[] w = TestData.mixed(len, bs, rnd);
      o.write(ByteBuffer.wrap(w), off);
      System.arraycopy(w, 0, expected, off, len);
    }
    o.flush();
    assertTrue(o.isWritable());
    assertTrue(o.pageCount() > 50, "the writes must land in the overlay: " + o.pageCount());
    return new Subject(o, expected, Overlay.PAGE_SIZE, () -> {
      o.close();
      base.close();
    });
  }
}
