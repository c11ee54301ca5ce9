package io.hexz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hexz.format.CorruptSnapshotException;
import io.hexz.format.TreeManifest;
import io.hexz.read.ReadOptions;
import io.hexz.read.Snapshot;
import io.hexz.testing.Child;
import io.hexz.testing.CraftedTree;
import io.hexz.testing.Damage;
import io.hexz.testing.Seeds;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** extract leaves no temporary files, and as an ordinary user restores modes the way tar does. */
@Timeout(300)
class TreeExtractSafetyTest {
  private static final long SEED = Seeds.random(TreeExtractSafetyTest.class);

  @TempDir
  Path dir;

  private static List<Path> parts(Path root) throws Exception {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".part")).toList();
    }
  }

  /** A tree with one file {@code f} of 64 KiB of random bytes, stored raw. */
  private static CraftedTree oneFile(byte[] content) {
    CraftedTree t = new CraftedTree();
    long f = t.add(TreeManifest.S_IFREG | 0644);
    t.node(f).size = content.length;
    t.entries(1, List.of("f"), List.of(f));
    t.data(content);
    return t;
  }

  @Test
  void aFailedExtractLeavesNoPartFile() throws Exception {
    byte[] content = new byte[64 << 10];
    new Random(SEED).nextBytes(content);
    Path good = oneFile(content).write(dir.resolve("good.hxz"));
    int at = Damage.indexOf(Files.readAllBytes(good), java.util.Arrays.copyOfRange(content, 40_000, 40_064));
    assertTrue(at > 0, "content stored raw; " + Seeds.describe(SEED));
    Path bad = Damage.flipBit(good, dir.resolve("bad.hxz"), at, 1);
    Path out = dir.resolve("out");
    try (Snapshot s = Hexz.open(bad, ReadOptions.DEFAULTS)) {
      assertThrows(CorruptSnapshotException.class, () -> Hexz.extract(s, List.of(), out, w -> {}));
    }
    assertEquals(List.of(), parts(out), "the half-written file is removed");
    assertFalse(Files.exists(out.resolve("f")));
  }

  @Test
  void leftoversOfAKilledExtractAreSweptButNotThoseOfALiveOne() throws Exception {
    Path good = oneFile(new byte[] {1, 2, 3}).write(dir.resolve("small.hxz"));
    Path out = Files.createDirectories(dir.resolve("out2"));
    // pid 2^31-1 is above any pid_max: that process is gone. This JVM's own pid is alive.
    Path dead = Files.write(out.resolve(".hexz-extract-2147483647-12345.part"), new byte[10]);
    Path live = Files.write(out.resolve(".hexz-extract-" + ProcessHandle.current().pid() + "-1.part"), new byte[10]);
    Path other = Files.write(out.resolve(".hexz-extract-notapid.part"), new byte[10]);
    try (Snapshot s = Hexz.open(good, ReadOptions.DEFAULTS)) {
      assertEquals(2, Hexz.extract(s, List.of(), out, w -> {}));
    }
    assertFalse(Files.exists(dead), "a dead extract's leftover is removed");
    assertTrue(Files.exists(live) && Files.exists(other), "a live extract's file and foreign names are left alone");
    assertEquals(3, Files.size(out.resolve("f")));
  }

  @Test
  void aHardLinkExtractedTwiceLeavesNoPartFile() throws Exception {
    CraftedTree t = new CraftedTree();
    long a = t.add(TreeManifest.S_IFDIR | 0755);
    long f = t.add(TreeManifest.S_IFREG | 0644);
    t.node(f).nlink = 2;
    t.entries(1, List.of("a", "f"), List.of(a, f));
    t.entries(a, List.of("g"), List.of(f));
    Path out = dir.resolve("out3");
    try (Snapshot s = Hexz.open(t.write(dir.resolve("links.hxz")), ReadOptions.DEFAULTS)) {
      // the second "a" links a/g onto itself: rename(2) then does nothing and the temp name stays
      Hexz.extract(s, List.of("a", "a"), out, w -> {});
    }
    assertEquals(List.of(), parts(out));
  }

  /** SIGTERM (what Ctrl-C and kill send) in the middle of a file: the JVM exits, the .part goes. */
  @Test
  void anExtractKilledBySigtermLeavesNoPartFile() throws Exception {
    byte[] content = new byte[96 << 20];
    new Random(SEED).nextBytes(content);
    Path snap = oneFile(content).write(dir.resolve("big.hxz"));
    content = null;
    Path out = Files.createDirectories(dir.resolve("out4"));
    Process p = new ProcessBuilder(Child.java(), "-cp", System.getProperty("java.class.path"), "io.hexz.cli.Main",
        "extract", "-q", snap.toString(), "-C", out.toString())
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    boolean seen = false;
    while (p.isAlive() && !seen) {
      try (Stream<Path> s = Files.list(out)) { // names only: no stat of a file being renamed
        seen = s.anyMatch(f -> f.getFileName().toString().endsWith(".part"));
      }
      Thread.sleep(2);
    }
    assertTrue(seen, "the extract finished before its .part file was seen; a slower disk is needed");
    p.destroy(); // SIGTERM
    assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
    assertEquals(List.of(), parts(out), "the file in flight is removed on SIGTERM");
    assertFalse(Files.exists(out.resolve("f")), "killed before the rename");
  }

  /** A copy of this JVM's class path that another user can read (the Maven repository is root's). */
  private Path readableClassPath() throws Exception {
    Path cp = Files.createDirectories(dir.resolve("cp"));
    List<String> entries = new ArrayList<>();
    int i = 0;
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path src = Path.of(e);
      if (!Files.exists(src)) {
        continue;
      }
      Path dst = cp.resolve(i++ + "-" + src.getFileName());
      try (Stream<Path> s = Files.walk(src)) {
        for (Path p : s.toList()) {
          Path d = dst.resolve(src.relativize(p).toString());
          if (Files.isDirectory(p)) {
            Files.createDirectories(d);
          } else {
            Files.copy(p, d);
          }
        }
      }
      entries.add(dst.toString());
    }
    try (Stream<Path> s = Files.walk(cp)) {
      for (Path p : s.toList()) {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
      }
    }
    return Path.of(String.join(File.pathSeparator, entries));
  }

  /** As user nobody with umask 022: set-id bits dropped, the umask applied (tar without -p). */
  @Test
  void anOrdinaryUserGetsModesUnderTheUmaskWithoutSetIdBits() throws Exception {
    CraftedTree t = new CraftedTree();
    long d = t.add(TreeManifest.S_IFDIR | 0777);
    long suid = t.add(TreeManifest.S_IFREG | 06755);
    long open = t.add(TreeManifest.S_IFREG | 0666);
    long sticky = t.add(TreeManifest.S_IFDIR | 01777);
    t.entries(1, List.of("d", "open", "sticky", "suid"), List.of(d, open, sticky, suid));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path snap = t.write(dir.resolve("modes.hxz"));
    Files.setPosixFilePermissions(snap, PosixFilePermissions.fromString("rw-r--r--"));
    Path cp = readableClassPath();
    Path outParent = Files.createDirectories(dir.resolve("nobody"));
    Files.setPosixFilePermissions(outParent, PosixFilePermissions.fromString("rwxrwxrwx"));
    Path out = outParent.resolve("out");
    Child c = Child.run(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "sh", "-c",
        "umask 022 && exec \"$0\" -cp \"$1\" io.hexz.cli.Main extract -q \"$2\" -C \"$3\"", Child.java(), cp.toString(),
        snap.toString(), out.toString()));
    assertEquals(0, c.code(), c.describe());
    assertEquals(65534, ((Number) Files.getAttribute(out.resolve("suid"), "unix:uid")).intValue(), "ran as nobody");
    assertEquals(0755, mode(out.resolve("suid")), "set-id bits dropped");
    assertEquals(0644, mode(out.resolve("open")), "no world-writable file");
    assertEquals(0755, mode(out.resolve("d")));
    assertEquals(01755, mode(out.resolve("sticky")), "the sticky bit is no privilege: kept, under the umask");
  }

  private static int mode(Path p) throws Exception {
    return ((Number) Files.getAttribute(p, "unix:mode")).intValue() & 07777;
  }
}
