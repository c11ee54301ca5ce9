package io.hexz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a mount command hands its background child, without mounting. */
class MountCommandTest {

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
