package io.hexz.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hexz.codec.CodecType;
import io.hexz.testing.Child;
import io.hexz.testing.Seeds;
import io.hexz.testing.Snaps;
import io.hexz.testing.TestData;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hexz cat}. It writes to file descriptor 1 through a FileChannel (System.setOut cannot
 * capture that), so each case runs {@link Main} in a child JVM on this test's class path and
 * compares the bytes on its stdout. This keeps cat under plain {@code mvn test}; {@code HexzJarIT}
 * repeats a case against the shaded jar after {@code package}.
 */
class CatCommandTest {
  private static final long SEED = Seeds.random(CatCommandTest.class);

  @TempDir
  static Path dir;

  private static Path snap;
  private static byte[] disk;
  private static byte[] memory;

  @BeforeAll
  static void build() throws Exception {
    Random rnd = new Random(SEED);
    disk = TestData.mixed(1_300_013, 16384, rnd);
    memory = TestData.mixed(200_003, 16384, rnd);
    snap = dir.resolve("cat.hxz");
    Snaps.write(snap, Snaps.options(16384, CodecType.LZ4, 0, true).build(), disk, memory, false);
  }

  private static Child hexz(Object... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Child.java(), "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp",
        classPath(), Main.class.getName()));
    for (Object a : args) {
      cmd.add(String.valueOf(a));
    }
    return Child.run(cmd);
  }

  private static String classPath() {
    String cp = System.getProperty("java.class.path");
    assertTrue(Arrays.stream(cp.split(File.pathSeparator)).anyMatch(e -> e.contains("picocli")),
        "the test class path must list the dependencies: " + cp);
    return cp;
  }

  @Test
  void catWritesTheWholeDiskStream() throws Exception {
    Child c = hexz("cat", snap);
    assertEquals(0, c.code(), c.describe());
    assertEquals("", c.err(), c.describe());
    assertArrayEquals(disk, c.out(), TestData.firstDifference(disk, c.out()) + ", " + Seeds.describe(SEED));
  }

  @Test
  void catWritesTheMemoryStream() throws Exception {
    Child c = hexz("cat", "--stream", "memory", snap);
    assertEquals(0, c.code(), c.describe());
    assertArrayEquals(memory, c.out(), Seeds.describe(SEED));
  }

  @Test
  void catWritesARange() throws Exception {
    Child c = hexz("cat", "--offset", "16383", "--length", "100K", snap);
    assertEquals(0, c.code(), c.describe());
    assertArrayEquals(Arrays.copyOfRange(disk, 16383, 16383 + 100 * 1024), c.out(), Seeds.describe(SEED));
  }

  @Test
  void aRangePastTheEndStopsAtTheEndLikeHeadC() throws Exception {
    long off = disk.length - 1000;
    Child c = hexz("cat", "--offset", off, "--length", "1G", snap);
    assertEquals(0, c.code(), c.describe());
    assertArrayEquals(Arrays.copyOfRange(disk, (int) off, disk.length), c.out(), Seeds.describe(SEED));

    Child beyond = hexz("cat", "--offset", disk.length + 5L, "--length", "10", snap);
    assertEquals(0, beyond.code(), beyond.describe());
    assertEquals(0, beyond.out().length, beyond.describe());
    assertEquals("", beyond.err(), beyond.describe());
  }

  @Test
  void errorsAreOneLineAndNothingOnStdout() throws Exception {
    Path missing = dir.resolve("nope.hxz");
    Child c = hexz("cat", missing);
    assertEquals(1, c.code(), c.describe());
    assertEquals(0, c.out().length, c.describe());
    assertEquals(1, c.err().lines().count(), c.describe());
    assertTrue(c.err().contains(missing.toString()), c.describe());
    assertFalse(c.err().contains("at io.hexz"), c.describe());
  }
}
