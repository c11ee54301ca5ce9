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
class BackgroundMountTest {

  @Test
  void aStackTraceIsNeverTheReason(@TempDir Path dir) throws Exception {
    Path log = Files.writeString(dir.resolve("mount.log"), String.join("\n",
        "Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space",
        "\tat org.bouncycastle.crypto.generators.Argon2BytesGenerator.init(Unknown Source)",
        "\tat io.hexz.cli.Main.main(Main.java:10)", ""));
    String why = BackgroundMount.lastLine(log, "/mnt: mount failed");
    assertTrue(why.startsWith("/mnt: mount failed: java.lang.OutOfMemoryError: Java heap space"), why);
    assertFalse(why.contains(" at ") || why.contains("Main.java"), why);
    Files.writeString(log, "some libfuse line\nhexz: /x.hxz: wrong password or damaged header\n");
    assertEquals("/x.hxz: wrong password or damaged header", BackgroundMount.lastLine(log, "/mnt: mount failed"));
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
    assertEquals(missing + ": snapshot does not exist", BackgroundMount.lastLine(log, "/mnt: mount failed"));
    assertEquals("x", Errors.messageOf("  " + Errors.line("x") + " "));
    assertEquals(null, Errors.messageOf("hexz:x"));
  }

  @Test
  void theChildRunsInItsOwnSessionWithItsOptionsBeforeTheMainClass() {
    assertEquals(List.of("setsid", "/usr/bin/java", "-Xmx40m", "-cp", "/x/hexz.jar", "io.hexz.cli.Main", "mount",
        "--foreground", "a.hxz", "mnt"), BackgroundMount.command("/usr/bin/java", "/x/hexz.jar", List.of("-Xmx40m"),
        List.of("mount", "--foreground", "a.hxz", "mnt")));
  }
}
