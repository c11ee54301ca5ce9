package io.hexz.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Locations are dispatched by scheme; local sources have no remote stats; names are redacted. */
class ByteSourcesTest {
  @Test
  void pathsAndFileUrisAreLocal(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("a b.bin");
    Files.write(f, new byte[] {1, 2, 3});
    for (ByteSource s : new ByteSource[] {ByteSources.open(f.toUri(), RemoteOptions.DEFAULTS),
        ByteSources.open(f.toString(), RemoteOptions.DEFAULTS)}) {
      try (s) {
        assertEquals(3, s.size());
        assertArrayEquals(new byte[] {2, 3}, s.readFully(1, 2));
        assertTrue(s.remoteStats().isEmpty());
      }
    }
  }

  @Test
  void remoteLocationsAreRecognised() {
    assertTrue(ByteSources.isRemote("https://h/x.hxz"));
    assertTrue(ByteSources.isRemote("HTTP://h/x.hxz"));
    assertTrue(ByteSources.isRemote("s3://b/k"));
    assertFalse(ByteSources.isRemote("/tmp/x.hxz"));
    assertFalse(ByteSources.isRemote("http.hxz"));
  }

  @Test
  void unsupportedSchemesAreRefused() {
    RemoteException e = assertThrows(RemoteException.class,
        () -> ByteSources.open(URI.create("ftp://u:p@h/x.hxz"), RemoteOptions.DEFAULTS));
    assertEquals("ftp://h/x.hxz: unsupported scheme 'ftp' (use a path, file:, http:, https: or s3:)", e.getMessage());
  }

  @Test
  void redactionDropsUserInfoQueryAndFragment() {
    assertEquals("https://h:8443/a/b%20c.hxz",
        ByteSources.redact(URI.create("https://me:pw@h:8443/a/b%20c.hxz?X-Amz-Signature=abc#frag")));
    assertEquals("s3://my_bucket/k", ByteSources.redact(URI.create("s3://my_bucket/k")));
    assertEquals("http://[::1]:80/x", ByteSources.redact(URI.create("http://[::1]:80/x?q")));
  }
}
