package io.hexz.read;

import io.hexz.Hexz;
import io.hexz.codec.CodecType;
import io.hexz.testing.Snaps;
import io.hexz.testing.TestData;
import java.nio.file.Path;
import java.util.Random;

/** The block-device contract for a snapshot's disk stream: lz4, dedup, default cache and prefetch. */
class SnapshotDiskStreamTest extends AbstractBlockDeviceTest {
  @Override
  protected Subject create(Path dir, Random rnd) throws Exception {
    int bs = 16 << 10;
    byte[] data = TestData.mixed(2 * 1024 * 1024 + 1234, bs, rnd);
    Path file = dir.resolve("disk.hxz");
    Snaps.write(file, Snaps.options(bs, CodecType.LZ4, 0, true).build(), data);
    Snapshot s = Hexz.open(file, ReadOptions.DEFAULTS);
    return new Subject(s.disk(), data, bs, s);
  }
}
