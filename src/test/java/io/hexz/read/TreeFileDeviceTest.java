package io.hexz.read;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hexz.Hexz;
import io.hexz.codec.CodecType;
import io.hexz.format.TreeManifest.Inode;
import io.hexz.testing.TestData;
import io.hexz.write.Profile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * The block-device contract for one regular file inside a directory snapshot ({@link Tree#open}):
 * a window of the shared disk stream. A small file is packed before it and another large file
 * follows it, so a read the window failed to clip would return a neighbour's bytes, not -1.
 */
class TreeFileDeviceTest extends AbstractBlockDeviceTest {
  @Override
  protected Subject create(Path dir, Random rnd) throws Exception {
    int bs = 16 << 10;
    Path src = Files.createDirectories(dir.resolve("src"));
    Files.write(src.resolve("a-small.txt"), TestData.text(3000, rnd));
    byte[] data = TestData.mixed(5 * bs + 777, bs, rnd);
    Files.write(src.resolve("b-subject.bin"), data);
    Files.write(src.resolve("c-after.bin"), TestData.random(3 * bs, rnd));
    Path file = dir.resolve("tree.hxz");
    Hexz.build(src, file, Profile.GENERIC, b -> b.blockSize(bs).codec(CodecType.LZ4).level(0), null);
    Snapshot s = Hexz.open(file, ReadOptions.DEFAULTS);
    Tree tree = s.tree().orElseThrow();
    Inode inode = tree.resolve("b-subject.bin").orElseThrow();
    assertTrue(inode.ref() > 0, "the subject must not start at the beginning of the disk stream");
    return new Subject(tree.open(inode), data, bs, s);
  }
}
