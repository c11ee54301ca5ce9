package io.hexz.read;

import io.hexz.Hexz;
import io.hexz.codec.CodecType;
import io.hexz.testing.Snaps;
import io.hexz.testing.TestData;
import java.nio.file.Path;
import java.util.Random;

/**
 * The block-device contract with a cache smaller than one block: every decoded block is evicted
 * as soon as it is cached, so readers must fall back to a private copy rather than loop or read
 * a recycled buffer.
 */
class SnapshotCacheBelowOneBlockTest extends AbstractBlockDeviceTest {
  @Override
  protected Subject create(Path dir, Random rnd) throws Exception {
    int bs = 8 << 10;
    byte[] disk = TestData.mixed(512 * 1024 + 9, bs, rnd);
    Path file = dir.resolve("below.hxz");
    Snaps.write(file, Snaps.options(bs, CodecType.ZSTD, 3, true).build(), disk, null, false);
    Snapshot s = Hexz.open(file, ReadOptions.builder().cacheBytes(1000).prefetchBytes(4L * bs).build());
    return new Subject(s.disk(), disk, bs, s);
  }
}
