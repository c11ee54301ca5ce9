package io.hexz.write;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hexz.Hexz;
import io.hexz.read.ReadOptions;
import io.hexz.testing.Seeds;
import io.hexz.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new snapshot file's mode is {@code rw-rw-rw-} less the umask, never wider than its source's:
 * a snapshot of a private image is private, and a umask of 077 gives owner-only files.
 */
class FileModeTest {
  private static final long SEED = Seeds.random(FileModeTest.class);

  @TempDir
  Path dir;

  private Path image(String name, String mode) throws Exception {
    Path p = Files.write(dir.resolve(name), TestData.mixed(300_000, 65536, new Random(SEED)));
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
    return p;
  }

  private static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  @Test
  void aSnapshotOfAPrivateImageIsPrivateAndSoIsItsFlattenedCopy() throws Exception {
    Path priv = image("private.img", "rw-------");
    Path snap = dir.resolve("private.hxz");
    Hexz.build(priv, snap, Profile.GENERIC, b -> b, null);
    assertEquals("rw-------", mode(snap));
    Path flat = dir.resolve("flat.hxz");
    Hexz.flatten(snap, flat, b -> b, ReadOptions.DEFAULTS);
    assertEquals("rw-------", mode(flat));
  }

  @Test
  void theUmaskIsHonoured() throws Exception {
    int umask = FileModes.umask();
    Path pub = image("public.img", "rw-rw-rw-");
    Path snap = dir.resolve("public.hxz");
    Hexz.build(pub, snap, Profile.GENERIC, b -> b, null);
    assertEquals(PosixFilePermissions.toString(FileModes.fromBits(0666 & ~umask)), mode(snap),
        "umask " + Integer.toOctalString(umask));

    // A process with umask 077 (the test JVM's cannot be changed from Java): hexz build in a child.
    Path strict = dir.resolve("strict.hxz");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder("sh", "-c", "umask 077 && exec \"$0\" -cp \"$1\" io.hexz.cli.Main build -q \"$2\" \"$3\"",
        java, System.getProperty("java.class.path"), pub.toString(), strict.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), out);
    assertEquals("rw-------", mode(strict));
    assertEquals(List.of(), List.of(out.lines().filter(l -> l.contains("hexz:")).toArray()), out);
  }
}
