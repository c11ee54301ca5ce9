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

  /** The main artifact is a library: hexz's own classes, its dependencies declared in its pom, none inside. */
  @Test
  void libraryJarHoldsNoDependencies() throws Exception {
    Path lib = Path.of("target", "hexz-" + io.hexz.write.Version.VERSION + ".jar").toAbsolutePath();
    assertTrue(Files.isRegularFile(lib), lib + " is missing: run mvn package first");
    List<String> foreign = new java.util.ArrayList<>();
    int ours = 0;
    try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(lib.toFile())) {
      for (var e = z.entries(); e.hasMoreElements(); ) {
        String n = e.nextElement().getName();
        if (n.startsWith("io/hexz/")) {
          ours += n.endsWith("/") ? 0 : 1;
        } else if (!n.startsWith("META-INF/") && !n.equals("io/")) {
          foreign.add(n);
        }
      }
    }
    assertEquals(List.of(), foreign, lib + " holds classes that are not hexz's");
    assertTrue(ours > 100, lib + " holds only " + ours + " hexz files");
  }

  /**
   * An Error escaping a command (here Argon2 outgrowing a small heap, as in a background mount
   * sized too small) is one "hexz: " line and exit 1, never a stack trace.
   */
  @Test
  void anOutOfMemoryErrorIsOneLine(@TempDir Path dir) throws Exception {
    Path jar = Path.of("target", "hexz.jar").toAbsolutePath();
    Path img = Files.write(dir.resolve("in.img"), new byte[4096]);
    Path pw = Files.writeString(dir.resolve("pw"), "pw\n");
    Child c = Child.run(List.of(Child.java(), "-Xmx48m", "-jar", jar.toString(), "build", "-q", img.toString(),
        dir.resolve("out.hxz").toString(), "--encrypt", "--password-file", pw.toString(), "--kdf-memory", "128M"));
    assertEquals(1, c.code(), c.describe());
    // Another thread may run out of memory too (the JVM names it in a line of its own).
    List<String> lines = c.err().lines().toList();
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("hexz: out of memory")), c.describe());
    assertTrue(lines.stream().noneMatch(l -> l.strip().startsWith("at ")), c.describe());
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
