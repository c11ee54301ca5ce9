package io.hexz.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.hexz.format.TreeManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** lstat of host files, typed: what each kind of file reports, and links never followed. */
class PosixStatTest {
  @Test
  void filesDirectoriesLinksAndHardLinks(@TempDir Path dir) throws Exception {
    Path f = Files.writeString(dir.resolve("f"), "hello");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
    Instant t = Instant.parse("2020-01-02T03:04:05.123456789Z");
    Files.setLastModifiedTime(f, FileTime.from(t));
    PosixStat s = PosixStat.of(f);
    assertEquals(TreeManifest.S_IFREG, s.type());
    assertEquals(0640, s.mode() & 07777);
    assertEquals(5, s.size());
    assertEquals(1, s.nlink());
    assertEquals(t, s.mtime());

    Path hard = Files.createLink(dir.resolve("hard"), f);
    assertEquals(2, PosixStat.of(f).nlink());
    assertEquals(PosixStat.of(f).fileKey(), PosixStat.of(hard).fileKey());
    assertNotEquals(PosixStat.of(dir).fileKey(), PosixStat.of(f).fileKey());

    Path link = Files.createSymbolicLink(dir.resolve("link"), Path.of("f"));
    PosixStat l = PosixStat.of(link);
    assertEquals(TreeManifest.S_IFLNK, l.type(), "the link itself, not its target");
    assertEquals(1, l.size(), "a link's size is its target's length");
    assertEquals(TreeManifest.S_IFDIR, PosixStat.of(dir).type());
  }
}
