package io.hexz.fuse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hexz.format.PathNames;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Escapes at the very end of a path, which issue 14 suspected both decoders of dropping: the
 * bounds checks ({@code i + 3 < length} for {@code \ooo}, {@code i + 2 < length} for {@code %XX})
 * admit an escape whose last digit is the last character.
 */
class MountTableTest {
  @Test
  void mountinfoEscapesAnywhereIncludingTheEnd() {
    assertEquals("/mnt/a b", MountTable.unescape("/mnt/a\\040b"));
    assertEquals("/mnt/trailing ", MountTable.unescape("/mnt/trailing\\040"));
    assertEquals("/mnt/x\\", MountTable.unescape("/mnt/x\\134"));
    assertEquals("/mnt/tab\t", MountTable.unescape("/mnt/tab\\011"));
    assertEquals("/mnt/short\\04", MountTable.unescape("/mnt/short\\04")); // not an escape: kept
  }

  @Test
  void percentEscapesAtTheEndOfAPath() {
    byte[] got = PathNames.absoluteBytes(Path.of("/tmp/caf\u00e9"));
    assertArrayEquals("/tmp/caf\u00e9".getBytes(StandardCharsets.UTF_8), got);
    assertArrayEquals("/tmp/a b".getBytes(StandardCharsets.US_ASCII), PathNames.absoluteBytes(Path.of("/tmp/a b")));
  }
}
