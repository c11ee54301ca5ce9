package io.hexz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hexz.format.TreeManifest;
import io.hexz.testing.CraftedTree;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Crafted names, link targets and times: ls shows them safely, --json exactly, extract survives them. */
@Timeout(120)
class TreeLsSafetyTest {
  @TempDir
  static Path dir;

  static Path snap;
  static final String ESC_NAME = "\u001b[31mred";
  static final String ESC_TARGET = "\u001b]0;owned\u0007";

  @BeforeAll
  static void craft() throws Exception {
    CraftedTree t = new CraftedTree();
    long f = t.add(TreeManifest.S_IFREG | 0644);
    t.node(f).nlink = 3;
    long future = t.add(TreeManifest.S_IFREG | 0644);
    // The edges of what a manifest may hold (java.time.Instant's range; beyond it is damage,
    // ManifestTimeTest): years past what a date-time formats.
    t.node(future).mtimeSec = Instant.MAX.getEpochSecond();
    t.node(future).mtimeNsec = 999_999_999;
    long past = t.add(TreeManifest.S_IFREG | 0644);
    t.node(past).mtimeSec = Instant.MIN.getEpochSecond();
    long link = t.add(TreeManifest.S_IFLNK | 0777);
    byte[] target = ESC_TARGET.getBytes(StandardCharsets.UTF_8);
    t.node(link).ref = t.heap(target);
    t.node(link).size = target.length;
    t.node(1).ref = t.direntCount();
    // in name-byte order: ESC < "back" < "bad" < "far-f" < "far-p" < "link"
    t.dirent(ESC_NAME, f);
    t.dirent("back\\slash", f);
    t.dirent(new byte[] {'b', 'a', 'd', (byte) 0xFF}, f);
    t.dirent("far-future", future);
    t.dirent("far-past", past);
    t.dirent("link", link);
    t.node(1).size = t.direntCount() - t.node(1).ref;
    snap = t.write(dir.resolve("crafted.hxz"));
  }

  private static void assertNoControlBytes(CliTest.Run r) {
    for (char c : r.out().toCharArray()) {
      assertTrue(c == '\n' || (c >= 0x20 && c != 0x7F && (c < 0x80 || c > 0x9F)),
          "control character " + (int) c + " printed: " + r.describe());
    }
  }

  @Test
  void lsEscapesControlBytesAndInvalidUtf8() {
    CliTest.Run r = CliTest.hexz("ls", snap);
    assertEquals(0, r.code(), r.describe());
    assertNoControlBytes(r);
    assertTrue(r.out().contains("\\033[31mred\n"), r.describe());
    assertTrue(r.out().contains("back\\\\slash\n"), r.describe());
    assertTrue(r.out().contains("bad\\377\n"), r.describe());
  }

  @Test
  void lsLongEscapesTargetsAndClampsExtremeTimes() {
    CliTest.Run r = CliTest.hexz("ls", "-l", snap);
    assertEquals(0, r.code(), r.describe());
    assertNoControlBytes(r);
    assertTrue(r.out().contains("link -> \\033]0;owned\\007"), r.describe());
    assertTrue(r.out().contains("far-future") && r.out().contains("far-past"), r.describe());
  }

  @Test
  void jsonKeepsExactNamesTargetsAndTimes() throws Exception {
    CliTest.Run r = CliTest.hexz("ls", "--json", snap);
    assertEquals(0, r.code(), r.describe());
    Map<String, JsonNode> byName = new HashMap<>();
    for (JsonNode e : new ObjectMapper().readTree(r.out())) {
      byName.put(e.get("name").asText(), e);
    }
    assertTrue(byName.containsKey(ESC_NAME), r.describe());
    assertEquals(ESC_TARGET, byName.get("link").get("target").asText());
    boolean hex = byName.values().stream().anyMatch(e -> e.has("nameHex") && e.get("nameHex").asText().equalsIgnoreCase("626164ff"));
    assertTrue(hex, r.describe());
    assertEquals(Instant.MAX.getEpochSecond(), byName.get("far-future").get("mtimeSec").asLong());
    assertEquals(Instant.MIN.getEpochSecond(), byName.get("far-past").get("mtimeSec").asLong());
  }

  @Test
  void extractWarnsAboutAnExtremeTimeAndGoesOn() throws Exception {
    Path out = dir.resolve("out");
    CliTest.Run r = CliTest.hexz("extract", snap, "-C", out);
    assertEquals(0, r.code(), r.describe());
    assertTrue(r.err().contains("out of range"), r.describe());
    assertTrue(Files.isRegularFile(out.resolve("far-future")) && Files.isRegularFile(out.resolve("far-past")));
  }
}
