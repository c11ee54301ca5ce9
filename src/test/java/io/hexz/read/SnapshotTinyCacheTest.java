package io.hexz.read;

import io.hexz.Hexz;
import io.hexz.codec.CodecType;
import io.hexz.testing.Snaps;
import io.hexz.testing.TestData;
import java.nio.file.Path;
import java.util.Random;

/**
 * The block-device contract with a cache of four blocks and the prefetcher on: every read
 * evicts, so decoded buffers are recycled while other threads still copy from theirs (the
 * concurrent-readers case would see foreign bytes if a buffer were reused too early).
 */
class SnapshotTinyCacheTest extends AbstractBlockDeviceTest {
  @Override
  protected Subject create(Path dir, Random rnd) throws Exception {
    int bs = 16 << 10;
    byte[] disk = TestData.mixed(2 * 1024 * 1024 + 333, bs, rnd);
    Path file = dir.resolve("tiny.hxz");
    Snaps.write(file, Snaps.options(bs, CodecType.LZ4, 0, true).build(), disk, null, false);
    Snapshot s = Hexz.open(file, ReadOptions.builder().cacheBytes(4L * bs).prefetchBytes(8L * bs).build());
    return new Subject(s.disk(), disk, bs, s);
  }
}
