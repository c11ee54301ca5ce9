package io.hexz.read;

import io.hexz.Hexz;
import io.hexz.testing.TestData;
import io.hexz.write.Profile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * The block-device contract for one file of a directory snapshot: a window of the disk stream
 * ({@code ManifestReader}'s slice) that starts after another file's bytes and ends inside a block.
 */
class TreeFileDeviceTest extends AbstractBlockDeviceTest {
  @Override
  protected Subject create(Path dir, Random rnd) throws Exception {
    int bs = 16 << 10;
    Path src = Files.createDirectories(dir.resolve("src"));
    Files.write(src.resolve("a-small"), TestData.mixed(5000, bs, rnd));
    byte[] data = TestData.mixed(7 * bs + 1234, bs, rnd);
    Files.write(src.resolve("b-large"), data);
    Path out = dir.resolve("tree.hxz");
    Hexz.build(src, out, Profile.GENERIC, b -> b.blockSize(bs), null);
    Snapshot s = Hexz.open(out, ReadOptions.DEFAULTS);
    Tree t = s.tree().orElseThrow();
    return new Subject(t.open(t.resolve("b-large").orElseThrow()), data, bs, s);
  }
}
