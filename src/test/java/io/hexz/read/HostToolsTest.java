package io.hexz.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hexz.format.TreeManifest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host programs the tree code runs, each doing what the JDK cannot. */
class HostToolsTest {
  @Test
  void aFifoIsMadeAndTimedByPathWithoutBeingOpened(@TempDir Path dir) throws Exception {
    Path fifo = dir.resolve("fifo");
    assertTrue(HostTools.mknod(fifo, 0640, 'p', 0));
    assertTrue(HostTools.touchMtime(fifo, 1_600_000_000L, 123_456_789));
    PosixStat s = PosixStat.of(fifo);
    assertEquals(TreeManifest.S_IFIFO, s.type());
    assertEquals(Instant.ofEpochSecond(1_600_000_000L, 123_456_789), s.mtime());
  }

  @Test
  void aSymlinkKeepsTargetBytesJavaWouldNormalize(@TempDir Path dir) throws Exception {
    byte[] target = "a//b/\n".getBytes(StandardCharsets.US_ASCII);
    Path link = dir.resolve("link");
    HostTools.symlink(link, target);
    assertEquals(TreeManifest.S_IFLNK, PosixStat.of(link).type());
    assertEquals(target.length, PosixStat.of(link).size(), "every byte, the trailing newline too");
    Path plain = dir.resolve("plain");
    HostTools.symlink(plain, "x/y".getBytes(StandardCharsets.US_ASCII));
    assertEquals(Path.of("x/y"), Files.readSymbolicLink(plain));
  }

  @Test
  void whatThisProcessIs() throws Exception {
    String uid = new String(new ProcessBuilder("id", "-u").start().getInputStream().readAllBytes(),
        StandardCharsets.US_ASCII).trim();
    assertEquals(uid.equals("0"), HostTools.isRoot(), "uid " + uid);
    int umask = HostTools.umask();
    assertTrue(umask >= 0 && umask <= 0777, Integer.toOctalString(umask));
  }

  @Test
  void aMissingToolIsNull() {
    assertNull(HostTools.startInC("hexz-no-such-tool-" + System.nanoTime()));
  }
}
