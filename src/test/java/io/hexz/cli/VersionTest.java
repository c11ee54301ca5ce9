package io.hexz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hexz.write.Version;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code hexz --version} names the version of the pom and the commit the classes were built from. */
class VersionTest {

  @Test
  void versionNamesThePomVersionAndTheCommit() throws Exception {
    CliTest.Run v = CliTest.hexz("--version");
    assertEquals(0, v.code(), v.describe());
    Matcher m = Pattern.compile("hexz (\\S+) \\(commit ([^,]+), format 1\\.0, Java .*\\)\\R?").matcher(v.out());
    assertTrue(m.matches(), v.describe());
    assertEquals(Version.VERSION, m.group(1), "Version.VERSION differs from build.properties");

    Properties built = new Properties();
    try (InputStream in = HexzCommand.class.getResourceAsStream("build.properties")) {
      assertTrue(in != null, "build.properties is missing from the classpath");
      built.load(in);
    }
    assertEquals(built.getProperty("version"), Version.VERSION, "pom version differs from Version.VERSION");

    String head = gitHead();
    if (head == null) {
      assertEquals("unknown", m.group(2), v.describe());
    } else {
      assertTrue(m.group(2).matches("[0-9a-f]{12}(-dirty)?"), v.describe());
      assertEquals(head, m.group(2).substring(0, 12), "commit in --version is not HEAD: " + v.describe());
    }
  }

  /** HEAD's abbreviated hash, or null outside a git clone (then the build says "unknown"). */
  private static String gitHead() throws Exception {
    Process p;
    try {
      p = new ProcessBuilder("git", "rev-parse", "--short=12", "HEAD").redirectError(ProcessBuilder.Redirect.DISCARD).start();
    } catch (java.io.IOException e) {
      return null;
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "git rev-parse hung");
    return p.exitValue() == 0 ? out : null;
  }
}
