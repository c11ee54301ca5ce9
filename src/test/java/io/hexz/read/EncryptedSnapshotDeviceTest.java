package io.hexz.read;

import io.hexz.Hexz;
import io.hexz.codec.CodecType;
import io.hexz.testing.Secrets;
import io.hexz.testing.Snaps;
import io.hexz.testing.TestData;
import java.nio.file.Path;
import java.util.Random;

/**
 * The block-device contract for an encrypted snapshot: zstd, 16 KiB blocks, dedup, and a cache
 * smaller than the data, so blocks are opened (AES-GCM) again after eviction.
 */
class EncryptedSnapshotDeviceTest extends AbstractBlockDeviceTest {
  @Override
  protected Subject create(Path dir, Random rnd) throws Exception {
    int bs = 16 << 10;
    byte[] data = TestData.mixed(2 * 1024 * 1024 + 999, bs, rnd);
    Path file = dir.resolve("enc.hxz");
    Snaps.write(file, Secrets.encrypt(Snaps.options(bs, CodecType.ZSTD, 3, true), Secrets.PASSWORD).build(), data);
    Snapshot s = Hexz.open(file, Secrets.read(ReadOptions.DEFAULTS.withCacheBytes(256 << 10), Secrets.PASSWORD));
    return new Subject(s, data, bs, s);
  }
}
