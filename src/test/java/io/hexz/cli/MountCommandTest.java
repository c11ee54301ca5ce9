package io.hexz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a background mount is started and how its failure is reported, without mounting. */
class MountCommandTest {

  @Test
  void aStackTraceIsNeverTheReason(@TempDir Path dir) throws Exception {
    Path log = Files.writeString(dir.resolve("mount.log"), String.join("\n",
        "Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space",
        "\tat org.bouncycastle.crypto.generators.Argon2BytesGenerator.init(Unknown Source)",
        "\tat io.hexz.cli.Main.main(Main.java:10)", ""));
    String why = MountCommand.lastLine(log, "/mnt: mount failed");
    assertTrue(why.startsWith("/mnt: mount failed: java.lang.OutOfMemoryError: Java heap space"), why);
    assertFalse(why.contains(" at ") || why.contains("Main.java"), why);
    Files.writeString(log, "some libfuse line\nhexz: /x.hxz: wrong password or damaged header\n");
    assertEquals("/x.hxz: wrong password or damaged header", MountCommand.lastLine(log, "/mnt: mount failed"));
  }

  @Test
  void theChildsErrorLineIsTheReasonTheParentReports(@TempDir Path dir) throws Exception {
    // The child/parent contract (Errors.PREFIX): what a failing command prints on stderr is what
    // a background mount reports, whatever the child logged before it.
    Path missing = dir.resolve("missing.hxz");
    CliTest.Run r = CliTest.hexz("mount", "--foreground", missing, dir.resolve("mnt"));
    assertEquals(1, r.code(), r.describe());
    assertEquals(List.of(Errors.line(missing + ": snapshot does not exist")), r.errLines());
    Path log = Files.writeString(dir.resolve("mount.log"), "fuse: some libfuse line\n" + r.err()
        + "WARNING: a java.util.logging line\n");
    assertEquals(missing + ": snapshot does not exist", MountCommand.lastLine(log, "/mnt: mount failed"));
    assertEquals("x", Errors.messageOf("  " + Errors.line("x") + " "));
    assertEquals(null, Errors.messageOf("hexz:x"));
  }

  private static MountCommand parse(String... args) {
    picocli.CommandLine.ParseResult r = new picocli.CommandLine(new HexzCommand()).parseArgs(args);
    return (MountCommand) r.subcommand().commandSpec().userObject();
  }

  @Test
  void theChildGetsTheArgumentsAsGivenPlusForeground(@TempDir Path dir) throws Exception {
    MountCommand m = parse("mount", "rel/a.hxz", "--rw", "--overlay", "o.ovl", "--cache-size", "64M",
        "-o", "ro,noatime", "--single-threaded", "--password-file", "pw", "--endpoint-url", "http://minio:9000/",
        "--", "@literal");
    assertEquals(List.of("mount", "--foreground", "rel/a.hxz", "--rw", "--overlay", "o.ovl", "--cache-size",
        "64M", "-o", "ro,noatime", "--single-threaded", "--password-file", "pw", "--endpoint-url",
        "http://minio:9000/", "--", "@@literal"), m.childArgs());
    assertEquals(Path.of("@literal"), m.mnt, "picocli kept the name that is no @-file as it is");
    Path args = Files.writeString(dir.resolve("args"), "a.hxz\nmnt\n--uid\n7\n");
    assertEquals(List.of("mount", "--foreground", "a.hxz", "mnt", "--uid", "7", "--no-prefetch"),
        parse("mount", "@" + args, "--no-prefetch").childArgs(), "@-files are expanded once, by the parent");
  }

  @Test
  void noFlagIsDroppedOnTheWayToTheChild() {
    // Every option of mount, given with a value where it takes one, reaches the child as given.
    List<String> given = new java.util.ArrayList<>(List.of("mount", "a.hxz", "mnt"));
    for (picocli.CommandLine.Model.OptionSpec o : parse("mount", "a.hxz", "mnt").spec.options()) {
      if (o.usageHelp() || o.versionHelp() || o.longestName().equals("--foreground")) {
        continue;
      }
      given.add(o.longestName());
      if (o.arity().max() > 0) {
        given.add(o.longestName().equals("--endpoint-url") ? "http://h/" : "1");
      }
    }
    List<String> child = parse(given.toArray(String[]::new)).childArgs();
    assertEquals(given.subList(1, given.size()), child.subList(2, child.size()));
  }

  @Test
  void anErrorInACommandIsOneLine() {
    assertEquals("out of memory (Java heap space): the JVM's heap limit (-Xmx) is too small for this command",
        Errors.describeError(new OutOfMemoryError("Java heap space")));
  }
}
