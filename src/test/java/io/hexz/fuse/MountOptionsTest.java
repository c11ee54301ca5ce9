package io.hexz.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hexz.read.ReadOptions;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Mount options: the defaults, values checked when set, and copies that keep everything else. */
class MountOptionsTest {
  @Test
  void defaults() {
    MountOptions o = MountOptions.DEFAULTS;
    assertNull(o.overlay());
    assertFalse(o.writable());
    assertEquals(-1, o.uid());
    assertEquals(-1, o.gid());
    assertFalse(o.allowOther());
    assertEquals(List.of(), o.fuseOptions());
    assertFalse(o.debug());
    assertEquals(MountOptions.DEFAULT_THREADS, o.threads());
    assertSame(ReadOptions.DEFAULTS, o.read());
    assertEquals(MountOptions.DEFAULT_CACHE, o.read().cacheBytes());
  }

  @Test
  void badValuesAreRefusedWithTheRuleAndTheValue() {
    assertEquals("FUSE threads (0) must be 1..64",
        assertThrows(IllegalArgumentException.class, () -> MountOptions.builder().threads(0)).getMessage());
    assertEquals("FUSE threads (65) must be 1..64",
        assertThrows(IllegalArgumentException.class, () -> MountOptions.builder().threads(65)).getMessage());
    assertEquals("FUSE option 'a b' must be one word (name or name=value)", assertThrows(
        IllegalArgumentException.class, () -> MountOptions.builder().fuseOptions(List.of("ro", "a b"))).getMessage());
    assertThrows(IllegalArgumentException.class, () -> MountOptions.builder().fuseOptions(List.of(" ")));
    assertThrows(NullPointerException.class, () -> MountOptions.builder().read(null));
  }

  @Test
  void toBuilderKeepsEverythingElse() {
    MountOptions o = MountOptions.builder().overlay(Path.of("/o.ovl")).uid(7).gid(8).allowOther(true)
        .fuseOptions(List.of("noatime")).debug(true).threads(1).read(ReadOptions.UNCACHED).build();
    MountOptions copy = o.toBuilder().threads(2).build();
    assertEquals(2, copy.threads());
    assertEquals(List.of(o.overlay(), o.uid(), o.gid(), o.allowOther(), o.fuseOptions(), o.debug(), o.read()),
        List.of(copy.overlay(), copy.uid(), copy.gid(), copy.allowOther(), copy.fuseOptions(), copy.debug(),
            copy.read()));
    assertTrue(copy.writable());
  }
}
