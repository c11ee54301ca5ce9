package io.hexz.read;

import io.hexz.Hexz;
import io.hexz.codec.CodecType;
import io.hexz.testing.Snaps;
import io.hexz.testing.TestData;
import java.nio.file.Path;
import java.util.Random;

/**
 * The block-device contract for a memory stream read with no cache and no prefetcher (every read
 * decodes its blocks), zstd, 4 KiB blocks, written before the disk stream.
 */
class SnapshotMemoryStreamUncachedTest extends AbstractBlockDeviceTest {
  @Override
  protected Subject create(Path dir, Random rnd) throws Exception {
    int bs = 4 << 10;
    byte[] memory = TestData.mixed(1024 * 1024 + 77, bs, rnd);
    byte[] disk = TestData.mixed(3 * bs + 5, bs, rnd);
    Path file = dir.resolve("memory.hxz");
    Snaps.write(file, Snaps.options(bs, CodecType.ZSTD, 3, true).build(), disk, memory, true);
    Snapshot s = Hexz.open(file, ReadOptions.UNCACHED);
    return new Subject(s.memory().orElseThrow(), memory, bs, s);
  }
}
