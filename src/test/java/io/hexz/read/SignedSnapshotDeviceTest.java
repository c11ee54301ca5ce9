package io.hexz.read;

import io.hexz.Hexz;
import io.hexz.codec.CodecType;
import io.hexz.crypto.Signatures;
import io.hexz.testing.Snaps;
import io.hexz.testing.TestData;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Random;

/**
 * The block-device contract for a signed snapshot read with its public key (every block checked
 * against its signed SHA-256, leaf pages pinned): lz4, 8 KiB blocks, more than one leaf page, and
 * a small cache so that pages and blocks are re-read and re-checked.
 */
class SignedSnapshotDeviceTest extends AbstractBlockDeviceTest {
  private static final KeyPair KEY = Signatures.generate();

  @Override
  protected Subject create(Path dir, Random rnd) throws Exception {
    int bs = 8 << 10;
    byte[] data = TestData.mixed(1100 * bs + 4321, bs, rnd);
    Path file = dir.resolve("signed.hxz");
    Snaps.write(file, Snaps.options(bs, CodecType.LZ4, 0, true).build(), data);
    Hexz.sign(file, KEY.getPrivate(), ReadOptions.DEFAULTS);
    Snapshot s = Hexz.open(file, ReadOptions.DEFAULTS.withCacheBytes(192 << 10).withPublicKey(KEY.getPublic()));
    return new Subject(s, data, bs, s);
  }
}
