package io.hexz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hexz.codec.CodecType;
import io.hexz.format.TreeManifest;
import io.hexz.format.TreeManifest.Inode;
import io.hexz.read.ReadOptions;
import io.hexz.read.Snapshot;
import io.hexz.read.Tree;
import io.hexz.testing.Seeds;
import io.hexz.testing.Trees;
import io.hexz.write.Profile;
import io.hexz.write.WriteStats;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@org.junit.jupiter.api.Timeout(300)
/** Directory snapshots through the library: build a varied tree, read it back through {@link Tree}. */
class TreeRoundTripTest {
  private static final long SEED = Seeds.random(TreeRoundTripTest.class);

  @TempDir
  static Path dir;

  static Path src;

  @BeforeAll
  static void makeTree() throws Exception {
    src = dir.resolve("src");
    Trees.makeVaried(src, SEED, 3000);
  }

  @ParameterizedTest(name = "{0} block {1}")
  @CsvSource({"lz4, 65536", "zstd, 262144", "none, 4096"})
  void roundTrip(String codec, int blockSize) throws Exception {
    Path out = dir.resolve("t-" + codec + ".hxz");
    WriteStats st = Hexz.build(src, out, Profile.GENERIC, b -> b.codec(CodecType.parse(codec)).blockSize(blockSize)
        .level(codec.equals("zstd") ? 3 : 0), null);
    try (Snapshot s = Hexz.open(out, ReadOptions.DEFAULTS)) {
      assertTrue(s.header().isTree());
      Tree t = s.tree().orElseThrow();
      int n = Trees.assertSame(src, t);
      assertTrue(n > 3000, "compared " + n + " entries");
      // 96 MiB sparse file: its holes are ZERO blocks, so the snapshot stays small.
      assertTrue(st.fileBytes() < (8 << 20), "snapshot is " + st.fileBytes() + " bytes");
      Inode sparse = t.resolve("sparse.img").orElseThrow();
      assertTrue(sparse.allocated() < (1 << 20), "allocated " + sparse.allocated());
    }
    assertEquals(0, Hexz.verify(out).problems().size(), "verify finds no problem");
  }

  @Test
  void identicalFilesAreStoredOnce() throws Exception {
    Path out = dir.resolve("dedup.hxz");
    Hexz.build(src, out, Profile.GENERIC, b -> b, null);
    try (Snapshot s = Hexz.open(out, ReadOptions.DEFAULTS)) {
      Tree t = s.tree().orElseThrow();
      Inode a = t.resolve("a/big.bin").orElseThrow();
      Inode b = t.resolve("a/b/big-copy.bin").orElseThrow();
      assertTrue(a.ref() % 65536 == 0 && b.ref() % 65536 == 0, "large files start on a block");
      assertEquals(t.resolve("a/small-0.txt").orElseThrow().ref(), t.resolve("a/small-5.txt").orElseThrow().ref(),
          "identical small files share one extent");
      Inode h1 = t.resolve("hard-1").orElseThrow();
      assertEquals(h1.ino(), t.resolve("a/b/hard-2").orElseThrow().ino(), "hard links share an inode");
      assertEquals(3, h1.nlink());
      assertEquals(TreeManifest.S_IFIFO, t.resolve("fifo").orElseThrow().type());
      assertArrayEquals("/etc/hostname".getBytes(StandardCharsets.US_ASCII),
          t.readlink(t.resolve("link-abs").orElseThrow()));
      assertTrue(t.resolve("no/such").isEmpty());
      assertTrue(t.resolve("a/big.bin/x").isEmpty(), "a file has no children");
      assertThrows(IllegalArgumentException.class, () -> t.resolve("a/../etc"));
      List<Tree.DirEntry> page = t.list(t.resolve("many").orElseThrow(), 10, 5);
      assertEquals(5, page.size());
      for (int i = 1; i < page.size(); i++) {
        assertTrue(java.util.Arrays.compareUnsigned(page.get(i - 1).name(), page.get(i).name()) < 0, "sorted");
      }
      ByteBuffer buf = ByteBuffer.allocate(10);
      assertEquals(-1, t.open(a).read(buf, a.size()));
    }
  }

  @Test
  void xattrsOutsideUserAreKeptAndRestored() throws Exception {
    Path src3 = Files.createDirectories(dir.resolve("src3"));
    Path f = Files.write(src3.resolve("cap é"), "x".getBytes(StandardCharsets.US_ASCII));
    Process p = new ProcessBuilder("setfattr", "-n", "trusted.hexz", "-v", "0x00ff01", f.toString()).start();
    org.junit.jupiter.api.Assumptions.assumeTrue(p.waitFor() == 0, "setfattr (package attr) and root needed");
    Path out = dir.resolve("other-xattrs.hxz");
    Hexz.build(src3, out, Profile.GENERIC, b -> b, null);
    try (Snapshot s = Hexz.open(out, ReadOptions.DEFAULTS)) {
      Tree t = s.tree().orElseThrow();
      assertArrayEquals(new byte[] {0, (byte) 0xff, 1}, t.xattrs(t.resolve("cap é").orElseThrow()).get("trusted.hexz"));
      Path restored = dir.resolve("restored3");
      Hexz.extract(s, List.of(), restored, w -> {});
      Process g = new ProcessBuilder("getfattr", "-n", "trusted.hexz", "-e", "hex", "--absolute-names",
          restored.resolve("cap é").toString()).start();
      String dump = new String(g.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(dump.contains("trusted.hexz=0x00ff01"), dump);
    }
  }

  @Test
  void symlinkTargetsKeepTheirExactBytes() throws Exception {
    Path src4 = Files.createDirectories(dir.resolve("src4"));
    // Targets Java cannot hand back as they are: not UTF-8, doubled and trailing slashes, a final newline.
    Map<String, byte[]> want = new java.util.TreeMap<>();
    want.put("latin1", new byte[] {'c', 'a', 'f', (byte) 0xe9});
    want.put("slashes", "a//b/".getBytes(StandardCharsets.US_ASCII));
    want.put("newline", "x\n".getBytes(StandardCharsets.US_ASCII));
    want.put("plain", "/etc/hostname".getBytes(StandardCharsets.US_ASCII));
    Process p = new ProcessBuilder("sh", "-c", "cd \"$1\" && ln -s \"$(printf 'caf\\351')\" latin1 && ln -s 'a//b/' slashes"
        + " && t=$(printf 'x\\nx') && ln -s \"${t%x}\" newline && ln -s /etc/hostname plain", "sh", src4.toString())
        .redirectErrorStream(true).start();
    assertEquals(0, p.waitFor(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    assertEquals(want.keySet(), linkTargets(src4).keySet(), "the source links");
    for (Map.Entry<String, byte[]> e : linkTargets(src4).entrySet()) {
      assertArrayEquals(want.get(e.getKey()), e.getValue(), "source link " + e.getKey());
    }
    Path out = dir.resolve("links.hxz");
    Hexz.build(src4, out, Profile.GENERIC, b -> b, null);
    try (Snapshot s = Hexz.open(out, ReadOptions.DEFAULTS)) {
      Tree t = s.tree().orElseThrow();
      for (Map.Entry<String, byte[]> e : want.entrySet()) {
        Inode n = t.resolve(e.getKey()).orElseThrow();
        assertArrayEquals(e.getValue(), t.readlink(n), "stored target of " + e.getKey());
        assertEquals(e.getValue().length, n.size(), "size of " + e.getKey());
      }
      Path restored = dir.resolve("restored4");
      Hexz.extract(s, List.of(), restored, w -> {});
      Map<String, byte[]> got = linkTargets(restored);
      assertEquals(want.keySet(), got.keySet(), "extracted links");
      for (Map.Entry<String, byte[]> e : want.entrySet()) {
        assertArrayEquals(e.getValue(), got.get(e.getKey()), "extracted target of " + e.getKey());
      }
    }
  }

  /** Name -> exact target bytes of the symlinks in d, as find(1) prints them (raw bytes). */
  private static Map<String, byte[]> linkTargets(Path d) throws Exception {
    Process p = new ProcessBuilder("find", d.toString(), "-maxdepth", "1", "-type", "l", "-printf", "%f\\0%l\\0").start();
    byte[] all = p.getInputStream().readAllBytes();
    assertEquals(0, p.waitFor());
    Map<String, byte[]> out = new java.util.TreeMap<>();
    int start = 0;
    String name = null;
    for (int i = 0; i < all.length; i++) {
      if (all[i] == 0) {
        byte[] field = java.util.Arrays.copyOfRange(all, start, i);
        if (name == null) {
          name = new String(field, StandardCharsets.ISO_8859_1);
        } else {
          out.put(name, field);
          name = null;
        }
        start = i + 1;
      }
    }
    return out;
  }

  @Test
  void noSpecialSkipsFifosWithAWarning() throws Exception {
    Path out = dir.resolve("nospecial.hxz");
    List<String> warnings = new java.util.ArrayList<>();
    Hexz.build(src, out, Profile.GENERIC, b -> b, null, new io.hexz.write.TreeOptions(false, warnings::add));
    try (Snapshot s = Hexz.open(out, ReadOptions.DEFAULTS)) {
      assertTrue(s.tree().orElseThrow().resolve("fifo").isEmpty());
    }
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains("fifo"));
  }

  @Test
  void aNewVersionStoresOnlyWhatChanged() throws Exception {
    Path v1 = dir.resolve("v1.hxz");
    Path v2 = dir.resolve("v2.hxz");
    Path src2 = dir.resolve("src2");
    Files.createDirectories(src2.resolve("d"));
    byte[] big = io.hexz.testing.TestData.random(3 << 20, new java.util.Random(SEED));
    Files.write(src2.resolve("d/big.bin"), big);
    for (int i = 0; i < 200; i++) {
      Files.write(src2.resolve("d/s" + i), ("small " + i).getBytes(StandardCharsets.US_ASCII));
    }
    WriteStats s1 = Hexz.build(src2, v1, Profile.GENERIC, b -> b, null);
    Files.write(src2.resolve("d/s7"), "changed".getBytes(StandardCharsets.US_ASCII));
    Files.write(src2.resolve("d/new.bin"), io.hexz.testing.TestData.random(100_000, new java.util.Random(SEED + 1)));
    WriteStats s2 = Hexz.build(src2, v2, Profile.GENERIC, b -> b.parent(v1), null);
    assertTrue(s2.fileBytes() < 300_000, "v2 is " + s2.fileBytes() + " bytes, v1 " + s1.fileBytes());
    try (Snapshot s = Hexz.open(v2, ReadOptions.DEFAULTS)) {
      assertTrue(s.header().isThin() && s.header().isTree());
      Trees.assertSame(src2, s.tree().orElseThrow());
    }
  }
}
