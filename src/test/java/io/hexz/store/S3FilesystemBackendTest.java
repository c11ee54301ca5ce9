package io.hexz.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hexz.store.S3ByteSourceTest.S3Server;
import io.hexz.testing.Seeds;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The S3 source against S3Proxy's filesystem backend serving files that were copied into its
 * directory rather than uploaded: such an object has no ETag, and its Last-Modified (whole seconds
 * in HTTP) is coarser than the file's mtime, so a precondition like If-Unmodified-Since fails on
 * every GET although nothing changed. hexz must read it, and still notice a replacement.
 */
class S3FilesystemBackendTest {
  private static final Duration BOUND = Duration.ofSeconds(60);
  private static final long SEED = Seeds.random(S3FilesystemBackendTest.class);

  @TempDir
  static Path base;
  private static S3Server s3;
  private static byte[] data;

  @BeforeAll
  static void start() throws Exception {
    Files.createDirectories(base.resolve("bucket"));
    s3 = S3Server.startFilesystem(base);
    data = new byte[2 * 1024 * 1024 + 333];
    new Random(SEED).nextBytes(data);
  }

  @AfterAll
  static void stop() throws Exception {
    s3.close();
  }

  private static RemoteOptions options() {
    return RemoteOptions.builder().endpointUrl(s3.endpoint()).region("us-east-1").allowRestricted(true)
        .chunkSize(64 << 10).readaheadBytes(1 << 20).cacheBytes(8 << 20)
        .retryDelays(Duration.ofMillis(5), Duration.ofMillis(50)).build();
  }

  /** Places {@code bytes} at bucket/KEY as a copy would: a plain file with a sub-second mtime. */
  private static void place(String key, byte[] bytes, Instant mtime) throws Exception {
    Path tmp = Files.write(base.resolve(key + ".tmp"), bytes);
    Files.setLastModifiedTime(tmp, FileTime.from(mtime));
    Files.move(tmp, base.resolve("bucket").resolve(key), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  @Test
  void aCopiedInObjectWithoutETagReadsBackByteIdentical() throws Exception {
    assertTimeoutPreemptively(BOUND, () -> {
      place("copied.hxz", data, Instant.parse("2026-01-02T03:04:05.678901234Z"));
      Random rnd = new Random(Seeds.derive(SEED, "copied"));
      try (ByteSource s = ByteSources.open(URI.create("s3://bucket/copied.hxz"), options())) {
        assertEquals(data.length, s.size());
        for (int i = 0; i < 50; i++) {
          int len = rnd.nextInt(200_000);
          long pos = rnd.nextInt(data.length - len + 1);
          assertArrayEquals(Arrays.copyOfRange(data, (int) pos, (int) pos + len), s.readFully(pos, len),
              Seeds.describe(SEED));
        }
        assertArrayEquals(data, s.readFully(0, data.length));
      }
    });
  }

  @Test
  void aCopiedInObjectReplacedMidReadIsDetected() throws Exception {
    assertTimeoutPreemptively(BOUND, () -> {
      place("replaced.hxz", data, Instant.parse("2026-01-02T03:04:05.5Z"));
      try (ByteSource s = ByteSources.open(URI.create("s3://bucket/replaced.hxz"), options())) {
        assertArrayEquals(Arrays.copyOfRange(data, 0, 10), s.readFully(0, 10));
        byte[] other = data.clone();
        other[1_500_000] ^= 1;
        // Same size, a later second: only Last-Modified tells the two apart.
        place("replaced.hxz", other, Instant.parse("2026-01-02T03:04:07.25Z"));
        RemoteChangedException e = assertThrows(RemoteChangedException.class, () -> s.readFully(1_500_000, 10));
        assertTrue(e.getMessage().startsWith("s3://bucket/replaced.hxz: changed on the server since it was opened ("),
            e.getMessage());
      }
    });
  }
}
