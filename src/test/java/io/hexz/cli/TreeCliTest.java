package io.hexz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hexz.Hexz;
import io.hexz.read.ReadOptions;
import io.hexz.read.Snapshot;
import io.hexz.testing.Seeds;
import io.hexz.testing.Trees;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code hexz build DIR}, {@code ls}, {@code extract}: round trips and one-line errors. */
@Timeout(300)
class TreeCliTest {
  private static final long SEED = Seeds.random(TreeCliTest.class);

  @TempDir
  static Path dir;

  static Path src;
  static Path snap;

  @BeforeAll
  static void build() throws Exception {
    src = dir.resolve("src");
    Trees.makeVaried(src, SEED, 500);
    snap = dir.resolve("tree.hxz");
    CliTest.Run r = CliTest.hexz("build", "-q", "--profile", "generic", src, snap);
    assertEquals(0, r.code(), r.describe());
  }

  @Test
  void extractRestoresContentAndMetadata() throws Exception {
    Path out = dir.resolve("out-all");
    CliTest.Run r = CliTest.hexz("extract", snap, "-C", out);
    assertEquals(0, r.code(), r.describe());
    // The snapshot must equal both the source and the extracted copy, entry by entry.
    try (Snapshot s = Hexz.open(snap, ReadOptions.DEFAULTS)) {
      assertEquals(Trees.walk(src).size(), Trees.assertSame(out, s.tree().orElseThrow()));
    }
    assertTrue(Files.size(out.resolve("sparse.img")) == 96L << 20);
    long blocks = (Long) Files.getAttribute(out.resolve("sparse.img"), "unix:size") / 512;
    assertTrue(blocks > 0);
    assertEquals(Files.readAttributes(out.resolve("hard-1"), "unix:ino").get("ino"),
        Files.readAttributes(out.resolve("a/b/hard-2"), "unix:ino").get("ino"), "hard link restored");
  }

  @Test
  void extractOnePathAndRefuseEscapes() throws Exception {
    Path out = dir.resolve("out-one");
    CliTest.Run r = CliTest.hexz("extract", snap, "a/b/c", "-C", out);
    assertEquals(0, r.code(), r.describe());
    assertEquals("deep\n", Files.readString(out.resolve("a/b/c/d/deep.txt")));
    assertFalse(Files.exists(out.resolve("a/big.bin")));
    CliTest.Run bad = CliTest.hexz("extract", snap, "../etc", "-C", out);
    assertEquals(2, bad.code(), bad.describe());
    assertEquals(1, bad.errLines().size(), bad.describe());
    CliTest.Run missing = CliTest.hexz("extract", snap, "no/such", "-C", out);
    assertEquals(1, missing.code(), missing.describe());
    assertTrue(missing.err().contains("no/such") && missing.errLines().size() == 1, missing.describe());
    // A symlink planted in the destination is never followed.
    Path out2 = Files.createDirectories(dir.resolve("out-planted"));
    Files.createSymbolicLink(out2.resolve("a"), dir.resolve("elsewhere"));
    CliTest.Run planted = CliTest.hexz("extract", snap, "a/b/c", "-C", out2);
    assertEquals(1, planted.code(), planted.describe());
    assertTrue(planted.err().contains("symlink"), planted.describe());
    assertFalse(Files.exists(dir.resolve("elsewhere")));
  }

  @Test
  void lsListsAndPrintsJson() throws Exception {
    CliTest.Run r = CliTest.hexz("ls", snap, "a/b/c/d");
    assertEquals(0, r.code(), r.describe());
    assertEquals("deep.txt\n", r.out());
    CliTest.Run l = CliTest.hexz("ls", "-l", snap);
    assertTrue(l.out().contains("link-abs -> /etc/hostname"), l.describe());
    CliTest.Run la = CliTest.hexz("ls", "-l", snap, "a");
    assertTrue(la.out().contains("drwxr-x---"), la.describe());
    CliTest.Run j = CliTest.hexz("ls", "--json", snap, "a/b/c/d/deep.txt");
    JsonNode n = new ObjectMapper().readTree(j.out());
    assertEquals("file", n.get(0).get("type").asText());
    assertEquals(5, n.get(0).get("size").asLong());
    assertEquals("2001-09-09T01:46:40.123Z", n.get(0).get("mtime").asText());
    CliTest.Run nonUtf8 = CliTest.hexz("ls", "--json", snap);
    boolean found = false;
    for (JsonNode e : new ObjectMapper().readTree(nonUtf8.out())) {
      found |= e.has("nameHex") && e.get("nameHex").asText().equalsIgnoreCase("636166e9");
    }
    assertTrue(found, "the non-UTF-8 name carries its bytes: " + nonUtf8.describe());
    CliTest.Run missing = CliTest.hexz("ls", snap, "nope");
    assertEquals(1, missing.code());
    assertEquals(1, missing.errLines().size(), missing.describe());
  }

  @Test
  void imageCommandsOnTreesAndTreeCommandsOnImagesFailInOneLine() throws Exception {
    Path img = dir.resolve("img.bin");
    Files.write(img, "not a tree".getBytes(StandardCharsets.US_ASCII));
    Path imgSnap = dir.resolve("img.hxz");
    assertEquals(0, CliTest.hexz("build", "-q", img, imgSnap).code());
    CliTest.Run r = CliTest.hexz("ls", imgSnap);
    assertEquals(1, r.code());
    assertTrue(r.err().contains("image snapshot") && r.errLines().size() == 1, r.describe());
    CliTest.Run x = CliTest.hexz("build", "-q", src, dir.resolve("m.hxz"), "--memory", img);
    assertEquals(1, x.code());
    assertEquals(1, x.errLines().size(), x.describe());
    assertEquals(0, CliTest.hexz("verify", snap).code());
  }
}
