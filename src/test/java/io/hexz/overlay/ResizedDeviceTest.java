package io.hexz.overlay;

import io.hexz.Hexz;
import io.hexz.codec.CodecType;
import io.hexz.read.AbstractBlockDeviceTest;
import io.hexz.read.ReadOptions;
import io.hexz.read.Snapshot;
import io.hexz.testing.Snaps;
import io.hexz.testing.TestData;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/**
 * The block-device contract for the base as an overlay grown past it sees it: the snapshot's disk
 * up to its end (inside a block), then zeros up to the new size.
 */
class ResizedDeviceTest extends AbstractBlockDeviceTest {
  @Override
  protected Subject create(Path dir, Random rnd) throws Exception {
    int bs = 16384;
    byte[] grown = Arrays.copyOf(TestData.mixed(3 * bs + 500, bs, rnd), 5 * bs + 300);
    Path snap = dir.resolve("base.hxz");
    Snaps.write(snap, Snaps.options(bs, CodecType.LZ4, 0, true).build(), Arrays.copyOf(grown, 3 * bs + 500));
    Snapshot base = Hexz.open(snap, ReadOptions.DEFAULTS);
    return new Subject(Resized.of(base.disk(), grown.length), grown, bs, base);
  }
}
