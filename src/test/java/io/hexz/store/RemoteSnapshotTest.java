package io.hexz.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hexz.codec.CodecType;
import io.hexz.read.ReadOptions;
import io.hexz.read.Snapshot;
import io.hexz.read.Snapshots;
import io.hexz.testing.Seeds;
import io.hexz.testing.Snaps;
import io.hexz.testing.TestData;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole snapshots read through the public read API over HTTP and S3 are byte-identical to the
 * local file, and random reads fetch a small fraction of the file (the numbers are printed).
 */
class RemoteSnapshotTest {
  private static final Duration BOUND = Duration.ofSeconds(120);
  private static final long SEED = Seeds.random(RemoteSnapshotTest.class);
  private static final int BLOCK = 64 << 10;

  @TempDir
  static Path dir;
  private static byte[] disk;
  private static byte[] file;
  private static RangeServer http;
  private static S3ByteSourceTest.S3Server s3;

  @BeforeAll
  static void build() throws Exception {
    disk = TestData.mixed(48 << 20, BLOCK, new Random(SEED));
    Path p = dir.resolve("disk.hxz");
    Snaps.write(p, Snaps.options(BLOCK, CodecType.LZ4, 0, true).build(), disk);
    file = Files.readAllBytes(p);
    http = new RangeServer(file);
    s3 = S3ByteSourceTest.S3Server.start();
    s3.put("snaps", "disk.hxz", file);
  }

  @AfterAll
  static void stop() throws Exception {
    http.close();
    s3.close();
  }

  private static RemoteOptions.Builder options() {
    return RemoteOptions.builder().allowRestricted(true).endpointUrl(s3.endpoint()).region("us-east-1");
  }

  private static ByteSource source(String kind, RemoteOptions o) throws IOException {
    return ByteSources.open(kind.equals("http") ? http.uri("/obj") : URI.create("s3://snaps/disk.hxz"), o);
  }

  @Test
  void wholeSnapshotsReadBackByteIdenticalOverHttpAndS3() throws Exception {
    for (String kind : new String[] {"http", "s3"}) {
      assertTimeoutPreemptively(BOUND, () -> {
        ByteSource src = source(kind, options().build());
        try (Snapshot s = Snapshots.open(src, ReadOptions.DEFAULTS)) {
          assertEquals(disk.length, s.size());
          assertArrayEquals(disk, Snaps.readAll(s, 128 << 10), kind + " " + Seeds.describe(SEED));
          RemoteStats st = src.remoteStats().orElseThrow();
          System.out.printf("[hexz-bench] %s sequential read of a %d-byte snapshot (%d-byte image): %s%n", kind,
              file.length, disk.length, st);
          assertTrue(st.bytesFetched() <= file.length + (1 << 20), "about one pass over the file: " + st);
        }
      });
    }
  }

  @Test
  void randomReadsFetchASmallFraction() throws Exception {
    for (String kind : new String[] {"http", "s3"}) {
      for (int chunk : new int[] {256 << 10, 64 << 10}) {
        assertTimeoutPreemptively(BOUND, () -> {
          Random rnd = new Random(Seeds.derive(SEED, "random", kind));
          RemoteOptions o = options().chunkSize(chunk).build();
          ByteSource src = source(kind, o);
          // No prefetcher: its background loads would make what is fetched depend on timing.
          try (Snapshot s = Snapshots.open(src, ReadOptions.DEFAULTS.withPrefetch(false))) {
            RemoteStats open = src.remoteStats().orElseThrow();
            int reads = 10;
            for (int i = 0; i < reads; i++) {
              int len = 4096;
              long pos = rnd.nextInt(disk.length - len);
              ByteBuffer b = ByteBuffer.allocate(len);
              s.read(b, pos);
              assertArrayEquals(Arrays.copyOfRange(disk, (int) pos, (int) pos + len), b.array());
            }
            RemoteStats st = src.remoteStats().orElseThrow();
            long bytes = st.bytesFetched() - open.bytesFetched();
            System.out.printf("[hexz-bench] %s, %d KiB chunks: open %d requests, %d bytes; then %d random 4 KiB"
                + " reads: %d requests, %d bytes; total %.2f%% of the %d-byte file%n", kind, chunk >> 10,
                open.requests(), open.bytesFetched(), reads, st.requests() - open.requests(), bytes,
                100.0 * st.bytesFetched() / file.length, file.length);
            // Each read needs at most a leaf index page and a block's payload: two chunks, or three
            // where one straddles a chunk boundary.
            assertTrue(st.requests() - open.requests() <= 2L * reads, st.toString());
            assertTrue(bytes <= 3L * reads * chunk, st.toString());
          }
        });
      }
    }
  }
}
