package io.hexz.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.hexz.crypto.Secret;
import io.hexz.store.RemoteOptions;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Read options: the named configurations, values checked when set, and copies that change one thing. */
class ReadOptionsTest {
  private static void assertCaching(long cache, boolean prefetch, long ahead, int threads, ReadOptions o) {
    assertEquals(List.of(cache, prefetch, ahead, threads),
        List.of(o.cacheBytes(), o.prefetch(), o.prefetchBytes(), o.prefetchThreads()), o.toString());
  }

  @Test
  void namedConfigurations() {
    assertCaching(256L << 20, true, 4L << 20, 2, ReadOptions.DEFAULTS);
    assertCaching(0, false, 0, 1, ReadOptions.UNCACHED);
    assertCaching(64L << 20, false, 0, 1, ReadOptions.LOOKUPS);
    for (ReadOptions o : List.of(ReadOptions.DEFAULTS, ReadOptions.UNCACHED, ReadOptions.LOOKUPS)) {
      assertEquals(List.of(), o.parentDirs());
      assertSame(RemoteOptions.DEFAULTS, o.remote());
      assertNull(o.password());
      assertNull(o.publicKey());
    }
    assertCaching(256L << 20, true, 4L << 20, 2, ReadOptions.builder().build());
  }

  @Test
  void badValuesAreRefusedWithTheRuleAndTheValue() {
    assertEquals("cacheBytes (-1) must be >= 0",
        assertThrows(IllegalArgumentException.class, () -> ReadOptions.builder().cacheBytes(-1)).getMessage());
    assertEquals("prefetchBytes (1073741825) must be in 0..1 GiB", assertThrows(IllegalArgumentException.class,
        () -> ReadOptions.builder().prefetchBytes((1L << 30) + 1)).getMessage());
    assertEquals("prefetchBytes (-1) must be in 0..1 GiB",
        assertThrows(IllegalArgumentException.class, () -> ReadOptions.builder().prefetchBytes(-1)).getMessage());
    assertEquals("prefetchThreads (0) must be in 1..64",
        assertThrows(IllegalArgumentException.class, () -> ReadOptions.builder().prefetchThreads(0)).getMessage());
    assertEquals("prefetchThreads (65) must be in 1..64",
        assertThrows(IllegalArgumentException.class, () -> ReadOptions.builder().prefetchThreads(65)).getMessage());
    assertThrows(NullPointerException.class, () -> ReadOptions.builder().remote(null));
    assertThrows(IllegalArgumentException.class, () -> ReadOptions.DEFAULTS.withCacheBytes(-5));
  }

  @Test
  void copiesChangeOnlyWhatTheySay() {
    List<Path> dirs = List.of(Path.of("/p"));
    RemoteOptions remote = RemoteOptions.builder().allowRestricted(true).build();
    try (Secret pw = Secret.of("pw".toCharArray())) {
      ReadOptions o = ReadOptions.DEFAULTS.withParentDirs(dirs).withRemote(remote).withPassword(pw);
      ReadOptions checking = o.toBuilder().caching(ReadOptions.UNCACHED).cacheBytes(8L << 20).build();
      assertCaching(8L << 20, false, 0, 1, checking);
      assertEquals(dirs, checking.parentDirs());
      assertSame(remote, checking.remote());
      assertSame(pw, checking.password());
      assertCaching(256L << 20, false, 4L << 20, 2, o.withPrefetch(false));
      assertCaching(1 << 20, true, 4L << 20, 2, o.withCacheBytes(1 << 20));
      assertEquals(dirs, o.withCacheBytes(1 << 20).parentDirs());
      assertNull(o.withPassword(null).password());
      assertCaching(256L << 20, true, 4L << 20, 2, ReadOptions.DEFAULTS);
    }
  }
}
