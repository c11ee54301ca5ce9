package io.hexz.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hexz.testing.Child;
import io.hexz.testing.Seeds;
import io.hexz.testing.TestData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar as users run it ({@code java -jar target/hexz.jar}), after {@code package}:
 * the manifest, the shading of every dependency and the real exit codes of {@link Main#main}.
 * Run by failsafe in {@code mvn verify}.
 */
class HexzJarIT {
  private static final long SEED = Seeds.random(HexzJarIT.class);

  private static Child jar(Object... args) throws Exception {
    Path jar = Path.of("target", "hexz.jar").toAbsolutePath();
    assertTrue(Files.isRegularFile(jar), jar + " is missing: run mvn package first");
    List<String> cmd = new java.util.ArrayList<>(List.of(Child.java(), "-jar", jar.toString()));
    for (Object a : args) {
      cmd.add(String.valueOf(a));
    }
    return Child.run(cmd);
  }

  @Test
  void buildVerifyCatThroughTheJar(@TempDir Path dir) throws Exception {
    byte[] data = TestData.mixed(700_001, 4096, new Random(SEED));
    Path img = Files.write(dir.resolve("in.img"), data);
    Path snap = dir.resolve("in.hxz");

    Child v = jar("--version");
    assertEquals(0, v.code(), v.describe());
    assertTrue(new String(v.out(), StandardCharsets.UTF_8).startsWith("hexz "), v.describe());

    Child b = jar("build", img, snap, "--compression", "zstd", "-q");
    assertEquals(0, b.code(), b.describe());
    Child ok = jar("verify", snap);
    assertEquals(0, ok.code(), ok.describe());

    Child c = jar("cat", "--offset", "1000", "--length", "1M", snap);
    assertEquals(0, c.code(), c.describe());
    assertArrayEquals(Arrays.copyOfRange(data, 1000, data.length), c.out(), Seeds.describe(SEED));

    byte[] bad = Files.readAllBytes(snap);
    bad[bad.length - 3] ^= 1; // inside the metadata
    Path damaged = Files.write(dir.resolve("bad.hxz"), bad);
    Child d = jar("verify", damaged);
    assertEquals(1, d.code(), d.describe());
    Child u = jar("verify", "--nope", snap);
    assertEquals(2, u.code(), u.describe());
  }
}
