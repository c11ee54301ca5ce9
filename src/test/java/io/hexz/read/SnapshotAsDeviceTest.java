package io.hexz.read;

import io.hexz.Hexz;
import io.hexz.codec.CodecType;
import io.hexz.testing.Snaps;
import io.hexz.testing.TestData;
import java.nio.file.Path;
import java.util.Random;

/**
 * The block-device contract for a {@link Snapshot} itself (its reads are the disk stream's):
 * uncompressed 64 KiB blocks, no dedup, a cache smaller than the data so entries are evicted.
 */
class SnapshotAsDeviceTest extends AbstractBlockDeviceTest {
  @Override
  protected Subject create(Path dir, Random rnd) throws Exception {
    int bs = 64 << 10;
    byte[] data = TestData.mixed(3 * 1024 * 1024 + 4321, bs, rnd);
    Path file = dir.resolve("plain.hxz");
    Snaps.write(file, Snaps.options(bs, CodecType.NONE, 0, false).build(), data);
    Snapshot s = Hexz.open(file, ReadOptions.DEFAULTS.withCacheBytes(512 << 10));
    return new Subject(s, data, bs, s);
  }
}
