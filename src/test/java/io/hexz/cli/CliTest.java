package io.hexz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hexz.Hexz;
import io.hexz.format.Checksums;
import io.hexz.testing.Damage;
import io.hexz.testing.Layout;
import io.hexz.testing.Seeds;
import io.hexz.testing.TestData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The command line through {@link Main#run}, with System.out and System.err captured: exit codes
 * (0 ok, 1 damaged or failed, 2 usage), JSON output parsed and checked field by field, and
 * errors as exactly one line on stderr naming the file or option, without a stack trace unless
 * --debug. (cat writes to file descriptor 1 itself; it is tested in a child JVM by
 * {@link CatCommandTest}.)
 */
class CliTest {
  private static final long SEED = Seeds.random(CliTest.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path dir;

  private static Path source;
  private static byte[] sourceBytes;
  private static Path snap;

  /** What one command run printed and returned. */
  record Run(int code, String out, String err) {
    List<String> errLines() {
      return err.isEmpty() ? List.of() : Arrays.asList(err.split("\\R"));
    }

    String describe() {
      return "exit " + code + "\n--- stdout:\n" + out + "\n--- stderr:\n" + err;
    }
  }

  /** Runs hexz in this JVM with stdout and stderr captured. */
  static synchronized Run hexz(Object... args) {
    String[] a = Stream.of(args).map(String::valueOf).toArray(String[]::new);
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      code = Main.run(a);
    } finally {
      System.out.flush();
      System.err.flush();
      System.setOut(out);
      System.setErr(err);
    }
    return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
  }

  @BeforeAll
  static void buildOne() throws Exception {
    Random rnd = new Random(SEED);
    sourceBytes = TestData.mixed(1_500_007, 4096, rnd);
    source = Files.write(dir.resolve("disk.img"), sourceBytes);
    snap = dir.resolve("disk.hxz");
    Run r = hexz("build", source, snap, "--block-size", "4K", "--compression", "zstd", "--level", "5", "--meta",
        "owner=ci", "--meta", "purpose=test", "--threads", "2", "-q");
    assertEquals(0, r.code(), r.describe());
    assertEquals("", r.err(), r.describe());
    assertTrue(r.out().startsWith(snap.toString()), r.describe());
    assertEquals(1, r.out().lines().count(), r.describe());
  }

  private static JsonNode json(Run r) throws Exception {
    assertEquals(0, r.code(), r.describe());
    return JSON.readTree(r.out());
  }

  // ---- happy paths with JSON checked field by field

  @Test
  void buildJsonReportsWhatWasWritten() throws Exception {
    Path out = dir.resolve("json.hxz");
    JsonNode j = json(hexz("build", source, out, "--block-size", "64K", "--no-dedup", "--json"));
    assertEquals(out.toString(), j.get("output").asText());
    assertEquals(sourceBytes.length, j.get("logicalBytes").asLong());
    assertEquals(Files.size(out), j.get("fileBytes").asLong());
    long blocks = (sourceBytes.length + 65535) / 65536;
    assertEquals(blocks, j.get("zeroBlocks").asLong() + j.get("dedupBlocks").asLong() + j.get("storedBlocks").asLong());
    assertEquals(0, j.get("dedupBlocks").asLong(), "--no-dedup");
    assertEquals(Checksums.hex(TestData.identity(65536, sourceBytes)), j.get("identity").asText());
    assertTrue(j.get("seconds").isNumber());
  }

  @Test
  void inspectJsonShowsHeaderStreamsAndMetadata() throws Exception {
    JsonNode j = json(hexz("inspect", snap, "--json"));
    assertEquals(snap.toString(), j.get("file").asText());
    assertEquals("1.0", j.get("formatVersion").asText());
    assertEquals(Files.size(snap), j.get("fileBytes").asLong());
    assertEquals(4096, j.get("blockSize").asInt());
    assertEquals("zstd", j.get("codec").asText());
    assertEquals(5, j.get("level").asInt());
    assertEquals(Checksums.hex(TestData.identity(4096, sourceBytes)), j.get("identity").asText());
    assertFalse(j.get("thin").asBoolean());
    assertFalse(j.has("parentIdentity"));
    JsonNode streams = j.get("streams");
    assertEquals(1, streams.size());
    JsonNode d = streams.get(0);
    assertEquals("disk", d.get("kind").asText());
    assertEquals(sourceBytes.length, d.get("size").asLong());
    assertEquals((sourceBytes.length + 4095) / 4096, d.get("blocks").asLong());
    assertEquals(1, d.get("indexDepth").asInt());
    assertTrue(d.get("storedBytes").asLong() > 0 && d.get("storedBytes").asLong() < sourceBytes.length);
    JsonNode m = j.get("metadata");
    assertEquals("disk.img", m.get("source").asText());
    assertTrue(m.get("tool").asText().startsWith("hexz "), m.toString());
    java.time.Instant.parse(m.get("created").asText());
    assertEquals("ci", m.get("user").get("owner").asText());
    assertEquals("test", m.get("user").get("purpose").asText());
  }

  @Test
  void inspectAsTextNamesTheIdentity() {
    Run r = hexz("inspect", snap);
    assertEquals(0, r.code(), r.describe());
    assertTrue(r.out().contains(Checksums.hex(TestData.identity(4096, sourceBytes))), r.describe());
    assertTrue(r.out().contains("meta:        owner=ci"), r.describe());
    assertEquals("", r.err());
  }

  @Test
  void verifyExitsZeroOnAGoodSnapshot() throws Exception {
    Run r = hexz("verify", snap);
    assertEquals(0, r.code(), r.describe());
    assertTrue(r.out().contains("OK"), r.describe());
    assertEquals("", r.err());
    JsonNode j = json(hexz("verify", snap, "--json"));
    assertTrue(j.get("ok").asBoolean());
    assertEquals((sourceBytes.length + 4095) / 4096, j.get("blocksChecked").asLong());
    assertEquals(sourceBytes.length, j.get("bytesChecked").asLong());
    assertEquals(0, j.get("problemCount").asLong());
    assertEquals(0, j.get("problems").size());
  }

  @Test
  void verifyExitsOneOnADamagedSnapshot() throws Exception {
    Layout layout = Layout.parse(snap);
    Layout.Extent payload = layout.of(Layout.Region.PAYLOAD_ZSTD).get(3);
    Path bad = Damage.flipBit(snap, dir.resolve("damaged.hxz"), payload.offset() + payload.length() / 2, 3);

    Run r = hexz("verify", bad);
    assertEquals(1, r.code(), r.describe());
    assertEquals("", r.out(), r.describe());
    assertTrue(r.err().contains(bad.toString()) && r.err().contains("DAMAGED"), r.describe());
    assertFalse(r.err().contains("at io.hexz"), r.describe());

    Run j = hexz("verify", bad, "--json");
    assertEquals(1, j.code(), j.describe());
    JsonNode n = JSON.readTree(j.out());
    assertFalse(n.get("ok").asBoolean());
    assertTrue(n.get("problemCount").asLong() >= 1);
    for (JsonNode p : n.get("problems")) {
      assertTrue(p.asText().contains(bad.toString()), "a problem must name the file: " + p);
    }
    // A damaged header: exit 1 as well.
    Path badHeader = Damage.flipBit(snap, dir.resolve("damaged-header.hxz"), 100, 0);
    Run h = hexz("verify", badHeader);
    assertEquals(1, h.code(), h.describe());
    assertTrue(h.err().contains(badHeader.toString()), h.describe());
  }

  @Test
  void analyzeJsonCountsBlocks() throws Exception {
    JsonNode j = json(hexz("analyze", snap, "--json"));
    assertEquals(Files.size(snap), j.get("fileBytes").asLong());
    JsonNode s = j.get("streams").get(0);
    TestData.BlockFacts f = TestData.facts(sourceBytes, 4096, true, new java.util.HashSet<>());
    assertEquals(f.blocks(), s.get("blocks").asLong());
    assertEquals(f.zeroBlocks(), s.get("zeroBlocks").asLong());
    assertEquals(f.dedupBlocks(), s.get("dedupBlocks").asLong());
    assertEquals(f.storedBlocks(), s.get("storedBlocks").asLong());
  }

  // ---- usage errors: exit 2

  @Test
  void anUnknownOptionIsAUsageError() {
    Run r = hexz("verify", "--frobnicate", snap);
    assertEquals(2, r.code(), r.describe());
    assertTrue(r.errLines().get(0).contains("--frobnicate"), r.describe());
    assertNoStackTrace(r);
    assertEquals("", r.out());
  }

  @Test
  void aMissingArgumentIsAUsageError() {
    Run r = hexz("build", source);
    assertEquals(2, r.code(), r.describe());
    assertTrue(r.errLines().get(0).contains("OUTPUT"), r.describe());
    assertNoStackTrace(r);
  }

  @Test
  void aBlockSizeThatIsNotAPowerOfTwoFrom4KTo1MIsAUsageError() {
    for (String bad : new String[] {"3K", "2K", "2M", "100000", "8T"}) {
      Run r = hexz("build", source, dir.resolve("bs.hxz"), "--block-size", bad);
      assertEquals(2, r.code(), r.describe());
      assertEquals(1, r.errLines().size(), r.describe());
      assertTrue(r.errLines().get(0).contains("--block-size"), r.describe());
      assertFalse(Files.exists(dir.resolve("bs.hxz")));
    }
  }

  @Test
  void anUnparseableValueIsAUsageErrorNamingTheOption() {
    // picocli's parse errors: the message, then a "Try 'hexz build --help'." hint.
    Run r = hexz("build", source, dir.resolve("lots.hxz"), "--block-size", "lots");
    assertEquals(2, r.code(), r.describe());
    assertTrue(r.errLines().get(0).contains("--block-size") && r.errLines().get(0).contains("lots"), r.describe());
    assertTrue(r.errLines().size() <= 2, r.describe());
    assertNoStackTrace(r);
  }

  @Test
  void noCommandIsAUsageError() {
    Run r = hexz();
    assertEquals(2, r.code(), r.describe());
    assertEquals(1, r.errLines().size(), r.describe());
    assertNoStackTrace(r);
  }

  @Test
  void versionAndHelpExitZero() {
    Run v = hexz("--version");
    assertEquals(0, v.code(), v.describe());
    assertTrue(v.out().startsWith("hexz "), v.describe());
    Run h = hexz("build", "--help");
    assertEquals(0, h.code(), h.describe());
    assertTrue(h.out().contains("--block-size"), h.describe());
  }

  // ---- bad input: one line on stderr naming the file or option, no stack trace

  static Stream<Arguments> badInput() throws Exception {
    Path missing = dir.resolve("missing.hxz");
    Path text = Files.writeString(dir.resolve("notes.txt"), "not a snapshot\n".repeat(1000));
    Path tiny = Files.writeString(dir.resolve("tiny.hxz"), "hexz");
    Path folder = Files.createDirectories(dir.resolve("folder.hxz"));
    Path out = dir.resolve("never.hxz");
    return Stream.of(
        Arguments.of(List.of("inspect", missing), missing.toString()),
        Arguments.of(List.of("inspect", text), text.toString()),
        Arguments.of(List.of("inspect", tiny), tiny.toString()),
        Arguments.of(List.of("inspect", folder), folder.toString()),
        Arguments.of(List.of("analyze", missing), missing.toString()),
        Arguments.of(List.of("analyze", text), text.toString()),
        Arguments.of(List.of("analyze", folder), folder.toString()),
        Arguments.of(List.of("verify", missing), missing.toString()),
        Arguments.of(List.of("cat", missing), missing.toString()),
        Arguments.of(List.of("cat", text), text.toString()),
        Arguments.of(List.of("cat", folder), folder.toString()),
        Arguments.of(List.of("cat", "--stream", "memory", snap), "memory"),
        Arguments.of(List.of("cat", "--stream", "swap", snap), "swap"),
        Arguments.of(List.of("build", missing, out), missing.toString()),
        // A directory is a valid source now (a directory snapshot), but not with a memory stream.
        Arguments.of(List.of("build", folder, out, "--memory", text), folder.toString()),
        Arguments.of(List.of("build", source, out, "--block-size", "3K"), "--block-size"),
        Arguments.of(List.of("build", source, out, "--block-size", "2M"), "--block-size"),
        Arguments.of(List.of("build", source, out, "--compression", "lz5"), "lz5"),
        Arguments.of(List.of("build", source, out, "--profile", "gaming"), "gaming"),
        Arguments.of(List.of("build", source, out, "--level", "99"), "99"),
        Arguments.of(List.of("build", source, dir.resolve("no-such-dir").resolve("x.hxz")),
            dir.resolve("no-such-dir").toString()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badInput")
  void badInputIsOneLineNamingTheFileOrOption(List<Object> args, String named) {
    Run r = hexz(args.toArray());
    assertNotEquals(0, r.code(), r.describe());
    assertEquals(1, r.errLines().size(), "exactly one line on stderr: " + r.describe());
    assertTrue(r.errLines().get(0).startsWith("hexz: "), r.describe());
    assertTrue(r.errLines().get(0).contains(named), "the message must name " + named + ": " + r.describe());
    assertNoStackTrace(r);
    assertFalse(Files.exists(dir.resolve("never.hxz")), "a failed build must leave no output");
    try (Stream<Path> s = Files.list(dir)) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".hexz-tmp")), "temporary files left");
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void verifyOfAFileThatIsNotASnapshotExitsOneAndNamesIt() throws Exception {
    Path text = Files.writeString(dir.resolve("plain.txt"), "plain text\n".repeat(1000));
    Run r = hexz("verify", text);
    assertEquals(1, r.code(), r.describe());
    assertFalse(r.errLines().isEmpty(), r.describe());
    for (String line : r.errLines()) {
      assertTrue(line.contains(text.toString()), "every line must name the file: " + r.describe());
    }
    assertNoStackTrace(r);
  }

  @Test
  void debugAddsTheStackTrace() {
    Run r = hexz("inspect", dir.resolve("missing-too.hxz"), "--debug");
    assertEquals(1, r.code(), r.describe());
    assertTrue(r.errLines().get(0).contains("missing-too.hxz"), r.describe());
    assertTrue(r.err().contains("\tat "), "--debug must print the stack trace: " + r.describe());
  }

  private static void assertNoStackTrace(Run r) {
    assertFalse(r.err().contains("at io.hexz") || r.err().contains("\tat ") || r.err().contains("Exception"),
        "no stack trace without --debug: " + r.describe());
    assertFalse(r.out().contains("at io.hexz"), r.describe());
  }

  @Test
  void inspectFailsOnADamagedHeaderWithOneLine() throws Exception {
    Path bad = Damage.flipBit(snap, dir.resolve("bad-inspect.hxz"), 50, 2);
    Run r = hexz("inspect", bad);
    assertEquals(1, r.code(), r.describe());
    assertEquals(1, r.errLines().size(), r.describe());
    assertTrue(r.err().contains(bad.toString()) && r.err().contains("checksum"), r.describe());
    assertTrue(Hexz.verify(snap).ok(), "the good file is untouched");
  }
}
