package io.hexz.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hexz.store.RangeServer.Fault;
import io.hexz.testing.Seeds;
import java.io.EOFException;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP range source against a real server on loopback: byte-identical reads, coalescing and
 * readahead, shared fetches, and every fault mode giving retry-then-success or a clear error,
 * never wrong bytes and never a hang.
 */
class HttpByteSourceTest {
  private static final Duration BOUND = Duration.ofSeconds(30);
  private static final int CHUNK = 64 << 10;
  private static final long SEED = Seeds.random(HttpByteSourceTest.class);

  private byte[] data;
  private RangeServer server;

  /** Fast retries and short timeouts, restricted addresses allowed (the server is on loopback). */
  static RemoteOptions.Builder options() {
    return RemoteOptions.builder().allowRestricted(true).chunkSize(CHUNK).readaheadBytes(1 << 20)
        .cacheBytes(8 << 20).retryDelays(Duration.ofMillis(5), Duration.ofMillis(50))
        .connectTimeout(Duration.ofSeconds(2)).requestTimeout(Duration.ofSeconds(2));
  }

  @BeforeEach
  void start() throws IOException {
    data = new byte[3 * 1024 * 1024 + 12345];
    new Random(SEED).nextBytes(data);
    server = new RangeServer(data);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private ByteSource open(RemoteOptions o) throws IOException {
    return ByteSources.open(server.uri("/obj"), o);
  }

  private static byte[] read(ByteSource s, long pos, int len) throws IOException {
    return s.readFully(pos, len);
  }

  private byte[] expected(long pos, int len) {
    return Arrays.copyOfRange(data, (int) pos, (int) pos + len);
  }

  @Test
  void randomReadsAreByteIdentical() throws Exception {
    assertTimeoutPreemptively(BOUND, () -> {
      Random rnd = new Random(Seeds.derive(SEED, "random"));
      try (ByteSource s = open(options().build())) {
        assertEquals(data.length, s.size());
        assertEquals("http://" + server.host() + ":" + server.port() + "/obj", s.name());
        for (int i = 0; i < 300; i++) {
          int len = rnd.nextInt(4) == 0 ? rnd.nextInt(3 * CHUNK) : rnd.nextInt(9000);
          long pos = (long) rnd.nextInt(data.length - len + 1);
          assertArrayEquals(expected(pos, len), read(s, pos, len), "read " + len + " at " + pos + ", "
              + Seeds.describe(SEED));
        }
        assertArrayEquals(expected(data.length - 1, 1), read(s, data.length - 1, 1));
        assertThrows(EOFException.class, () -> read(s, data.length - 10, 11));
        assertThrows(EOFException.class, () -> read(s, -1, 1));
      }
    });
  }

  @Test
  void sequentialReadsCoalesceIntoFewLargeRequests() throws Exception {
    assertTimeoutPreemptively(BOUND, () -> {
      try (ByteSource s = open(options().build())) {
        byte[] all = new byte[data.length];
        for (int pos = 0; pos < data.length; pos += 16 << 10) {
          int len = Math.min(16 << 10, data.length - pos);
          s.readFully(ByteBuffer.wrap(all, pos, len), pos);
        }
        assertArrayEquals(data, all);
        RemoteStats st = s.remoteStats().orElseThrow();
        // 50 chunks of 64 KiB; windows grow 1, 2, 4, 8, 16 (1 MiB readahead) chunks per request.
        assertTrue(st.requests() <= 8, "requests: " + st);
        assertEquals(server.objectRequests.get(), st.requests());
        assertEquals(data.length, st.bytesFetched(), "each byte fetched once: " + st);
        assertEquals(data.length, server.bytesSent.get());
        assertEquals(data.length, st.bytesRead());
        assertEquals(1, server.clientPorts.size(), "one connection, reused");
      }
    });
  }

  @Test
  void smallRandomReadsFetchOnlyTheirChunks() throws Exception {
    assertTimeoutPreemptively(BOUND, () -> {
      Random rnd = new Random(Seeds.derive(SEED, "small"));
      try (ByteSource s = open(options().build())) {
        int reads = 10;
        for (int i = 0; i < reads; i++) {
          long pos = (long) rnd.nextInt(data.length / CHUNK - 1) * CHUNK + 1000;
          assertArrayEquals(expected(pos, 4096), read(s, pos, 4096));
        }
        RemoteStats st = s.remoteStats().orElseThrow();
        assertTrue(st.requests() <= 1 + reads, st.toString());
        assertTrue(st.bytesFetched() <= (1L + 2 * reads) * CHUNK, st.toString());
      }
    });
  }

  @Test
  void concurrentReadersOfOneChunkShareOneFetch() throws Exception {
    assertTimeoutPreemptively(BOUND, () -> {
      try (ByteSource s = open(options().build())) {
        int before = server.objectRequests.get();
        server.delay(300);
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<byte[]>> fs = new ArrayList<>();
        long pos = 20L * CHUNK + 77;
        for (int t = 0; t < threads; t++) {
          fs.add(pool.submit(() -> {
            go.await();
            return read(s, pos, 1000);
          }));
        }
        go.countDown();
        for (Future<byte[]> f : fs) {
          assertArrayEquals(expected(pos, 1000), f.get());
        }
        pool.shutdown();
        assertEquals(1, server.objectRequests.get() - before, "one request for eight readers");
      }
    });
  }

  @Test
  void concurrentRandomReadersGetCorrectBytes() throws Exception {
    assertTimeoutPreemptively(BOUND, () -> {
      try (ByteSource s = open(options().cacheBytes(2 << 20).build())) {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          long seed = Seeds.derive(SEED, "concurrent", t);
          fs.add(pool.submit(() -> {
            Random rnd = new Random(seed);
            for (int i = 0; i < 100; i++) {
              int len = rnd.nextInt(200_000);
              long pos = rnd.nextInt(data.length - len);
              assertArrayEquals(expected(pos, len), read(s, pos, len), Seeds.describe(SEED));
            }
            return null;
          }));
        }
        for (Future<?> f : fs) {
          f.get();
        }
        pool.shutdown();
      }
    });
  }

  @Test
  void serverErrorsAreRetriedThenSucceed() throws Exception {
    assertTimeoutPreemptively(BOUND, () -> {
      server.fault(Fault.ERROR_500, 3);
      try (ByteSource s = open(options().build())) {
        assertArrayEquals(expected(0, 100), read(s, 0, 100));
        assertEquals(3, s.remoteStats().orElseThrow().retries());
        server.fault(Fault.ERROR_500, 2);
        assertArrayEquals(expected(2_000_000, 100), read(s, 2_000_000, 100));
        assertEquals(5, s.remoteStats().orElseThrow().retries());
      }
    });
  }

  @Test
  void persistentServerErrorsGiveUpWithAClearError() throws Exception {
    assertTimeoutPreemptively(BOUND, () -> {
      try (ByteSource s = open(options().build())) {
        server.fault(Fault.ERROR_500, Integer.MAX_VALUE);
        RemoteException e = assertThrows(RemoteException.class, () -> read(s, 1_000_000, 10));
        assertEquals(s.name() + ": HTTP 500 (gave up after 5 attempts)", e.getMessage());
        server.fault(Fault.NONE, 0);
        assertArrayEquals(expected(1_000_000, 10), read(s, 1_000_000, 10), "a later read tries again");
      }
    });
  }

  @Test
  void tooManyRequestsHonoursRetryAfterWithinTheCap() throws Exception {
    assertTimeoutPreemptively(BOUND, () -> {
      server.fault(Fault.TOO_MANY, 1);
      long t0 = System.nanoTime();
      try (ByteSource s = open(options().retryDelays(Duration.ofMillis(5), Duration.ofMillis(300)).build())) {
        assertArrayEquals(expected(5, 5), read(s, 5, 5));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms >= 250, "Retry-After: 1 capped at the 300 ms maximum delay, took " + ms + " ms");
      }
    });
  }

  @Test
  void connectionDroppedMidBodyIsRetried() throws Exception {
    assertTimeoutPreemptively(BOUND, () -> {
      try (ByteSource s = open(options().build())) {
        server.fault(Fault.DROP_MID_BODY, 2);
        assertArrayEquals(expected(1_500_000, 300_000), read(s, 1_500_000, 300_000));
        assertEquals(2, s.remoteStats().orElseThrow().retries());
        server.fault(Fault.DROP_MID_BODY, Integer.MAX_VALUE);
        RemoteException e = assertThrows(RemoteException.class, () -> read(s, 100_000, 10));
        assertTrue(e.getMessage().matches(".*(connection lost|connection failed|short body).*gave up after 5 attempts.*"),
            e.getMessage());
      }
    });
  }

  @Test
  void aStalledBodyTimesOutAndIsRetried() throws Exception {
    assertTimeoutPreemptively(BOUND, () -> {
      RemoteOptions o = options().connectTimeout(Duration.ofMillis(300)).requestTimeout(Duration.ofMillis(600))
          .maxRetries(2).build();
      try (ByteSource s = open(o)) {
        server.fault(Fault.STALL, 1);
        assertArrayEquals(expected(700_000, 1000), read(s, 700_000, 1000));
        server.fault(Fault.STALL, Integer.MAX_VALUE);
        long t0 = System.nanoTime();
        RemoteException e = assertThrows(RemoteException.class, () -> read(s, 2_700_000, 10));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(e.getMessage().contains("gave up after 3 attempts"), e.getMessage());
        assertTrue(ms < 3 * 600 + 2 * 50 + 1500, "bounded by the timeouts: " + ms + " ms");
      }
    });
  }

  @Test
  void aServerThatIgnoresRangeIsRefusedAtOpen() throws Exception {
    assertTimeoutPreemptively(BOUND, () -> {
      server.fault(Fault.IGNORE_RANGE, 0);
      RemoteException e = assertThrows(RemoteException.class, () -> open(options().build()));
      assertTrue(e.getMessage().contains("server ignores Range requests (answered 200"), e.getMessage());
      long body = (long) data.length * RangeServer.IGNORED_RANGE_COPIES;
      assertTrue(server.bytesSent.get() < body, "the whole body is not read: " + server.bytesSent.get() + " of " + body);
    });
  }

  @Test
  void aServerThatStartsIgnoringRangeGivesAClearError() throws Exception {
    assertTimeoutPreemptively(BOUND, () -> {
      try (ByteSource s = open(options().build())) {
        server.fault(Fault.IGNORE_RANGE, 0);
        RemoteException e = assertThrows(RemoteException.class, () -> read(s, 1_000_000, 10));
        assertTrue(e.getMessage().contains("ignores Range"), e.getMessage());
      }
    });
  }

  @Test
  void aShortBodyOrAWrongContentRangeIsAnErrorNotWrongBytes() throws Exception {
    assertTimeoutPreemptively(BOUND, () -> {
      try (ByteSource s = open(options().build())) {
        server.fault(Fault.SHORT_BODY, 0);
        RemoteException e = assertThrows(RemoteException.class, () -> read(s, 1_000_000, 10));
        assertTrue(e.getMessage().contains("short or long body: server sent Content-Length"), e.getMessage());
        server.fault(Fault.WRONG_CONTENT_RANGE, 0);
        e = assertThrows(RemoteException.class, () -> read(s, 1_000_000, 10));
        assertTrue(e.getMessage().contains("wrong Content-Range"), e.getMessage());
        server.fault(Fault.NONE, 0);
        assertArrayEquals(expected(1_000_000, 10), read(s, 1_000_000, 10));
      }
    });
  }

  @Test
  void anObjectChangedMidReadIsDetected() throws Exception {
    for (Fault f : new Fault[] {Fault.NONE, Fault.IGNORE_CONDITIONS}) {
      for (boolean etag : new boolean[] {true, false}) {
        assertTimeoutPreemptively(BOUND, () -> {
          server.setContent(data);
          server.fault(f, 0);
          server.sendEtag(etag);
          try (ByteSource s = open(options().build())) {
            assertArrayEquals(expected(10, 10), read(s, 10, 10));
            byte[] other = data.clone();
            other[2_000_000] ^= 1;
            server.setContent(other);
            RemoteChangedException e = assertThrows(RemoteChangedException.class, () -> read(s, 2_000_000, 10),
                f + " etag=" + etag);
            assertTrue(e.getMessage().startsWith(s.name() + ": changed on the server since it was opened ("),
                e.getMessage());
            assertEquals(0, s.remoteStats().orElseThrow().retries(), "a change is not retried");
            assertArrayEquals(expected(10, 10), read(s, 10, 10), "cached chunks of the opened version stay");
          }
        });
      }
    }
  }

  @Test
  void anObjectDeletedAfterOpenIsAChangeNotAMissingFile() throws Exception {
    assertTimeoutPreemptively(BOUND, () -> {
      try (ByteSource s = open(options().build())) {
        server.fault(Fault.NOT_FOUND, 0);
        RemoteChangedException e = assertThrows(RemoteChangedException.class, () -> read(s, 2_000_000, 10));
        assertTrue(e.getMessage().contains("(it is gone: HTTP 404)"), e.getMessage());
      }
    });
  }

  @Test
  void withoutAnETagNoPreconditionIsSentAndLastModifiedPinsTheObject() throws Exception {
    assertTimeoutPreemptively(BOUND, () -> {
      server.setContent(data);
      server.sendEtag(false);
      server.fault(Fault.SUBSECOND_DATES, 0);
      try (ByteSource s = open(options().build())) {
        assertArrayEquals(expected(0, 1_000_000), read(s, 0, 1_000_000),
            "a server that compares dates below a second must not fail an unchanged object");
        byte[] other = data.clone();
        other[2_000_000] ^= 1;
        server.setContent(other);
        RemoteChangedException e = assertThrows(RemoteChangedException.class, () -> read(s, 2_000_000, 10));
        assertTrue(e.getMessage().contains("Last-Modified is now"), e.getMessage());
      }
    });
  }

  @Test
  void withoutAnETagARangeAnswerWithoutLastModifiedIsRefused() throws Exception {
    assertTimeoutPreemptively(BOUND, () -> {
      server.setContent(data);
      server.sendEtag(false);
      server.fault(Fault.NO_LAST_MODIFIED_LATER, 0);
      server.objectRequests.set(0);
      try (ByteSource s = open(options().build())) {
        RemoteException e = assertThrows(RemoteException.class, () -> read(s, 2_000_000, 10));
        assertTrue(e.getMessage().contains("without the Last-Modified it gave at open"), e.getMessage());
      }
    });
  }

  @Test
  void aChangedSizeIsDetected() throws Exception {
    assertTimeoutPreemptively(BOUND, () -> {
      server.fault(Fault.IGNORE_CONDITIONS, 0);
      server.sendEtag(false);
      try (ByteSource s = open(options().build())) {
        server.setContent(Arrays.copyOf(data, data.length + 1));
        RemoteChangedException e = assertThrows(RemoteChangedException.class, () -> read(s, 2_000_000, 10));
        assertTrue(e.getMessage().contains("size is now"), e.getMessage());
      }
    });
  }

  @Test
  void notFoundAndForbiddenAreTypedAndNotRetried() throws Exception {
    assertTimeoutPreemptively(BOUND, () -> {
      server.fault(Fault.NOT_FOUND, 0);
      NoSuchFileException nf = assertThrows(NoSuchFileException.class, () -> open(options().build()));
      assertEquals(server.uri("/obj") + ": not found (HTTP 404)", nf.getMessage());
      server.fault(Fault.FORBIDDEN, 0);
      AccessDeniedException ad = assertThrows(AccessDeniedException.class, () -> open(options().build()));
      assertEquals(server.uri("/obj") + ": access denied (HTTP 403)", ad.getMessage());
      assertEquals(2, server.objectRequests.get());
    });
  }

  @Test
  void redirectsAreFollowedAndRememberedButBounded() throws Exception {
    assertTimeoutPreemptively(BOUND, () -> {
      server.redirectTo("/obj");
      try (ByteSource s = ByteSources.open(server.uri("/redirect/2"), options().build())) {
        assertEquals(server.uri("/redirect/2").toString(), s.name());
        int before = server.requests.get();
        assertArrayEquals(expected(3_000_000, 1000), read(s, 3_000_000, 1000));
        assertEquals(1, server.requests.get() - before, "later requests go straight to the redirect target");
      }
      RemoteException e = assertThrows(RemoteException.class,
          () -> ByteSources.open(server.uri("/redirect/5"), options().build()));
      assertTrue(e.getMessage().endsWith(": too many redirects (more than 5)"), e.getMessage());
    });
  }

  @Test
  void credentialsAndQueryNeverAppearInNamesOrErrors() throws Exception {
    assertTimeoutPreemptively(BOUND, () -> {
      URI secret = URI.create("http://alice:s3cr3t@" + server.host() + ":" + server.port()
          + "/obj?X-Amz-Signature=t0k3n&sig=t0k3n");
      try (ByteSource s = ByteSources.open(secret, options().build())) {
        assertEquals(server.uri("/obj").toString(), s.name());
        assertArrayEquals(expected(0, 10), read(s, 0, 10));
        assertEquals("Basic " + Base64.getEncoder().encodeToString("alice:s3cr3t".getBytes(StandardCharsets.UTF_8)),
            server.authorizations.get(0));
        server.fault(Fault.ERROR_500, Integer.MAX_VALUE);
        IOException e = assertThrows(IOException.class, () -> read(s, 2_000_000, 10));
        assertNoSecret(e);
      }
      server.fault(Fault.NOT_FOUND, 0);
      assertNoSecret(assertThrows(IOException.class, () -> ByteSources.open(secret, options().build())));
      assertNoSecret(assertThrows(IOException.class, () -> ByteSources.open(secret.toString() + " bad",
          options().build())));
      assertFalse(options().endpointUrl(URI.create("http://example.com/")).build().toString().contains("s3cr3t"));
    });
  }

  private static void assertNoSecret(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage());
      assertFalse(m.contains("s3cr3t") || m.contains("t0k3n") || m.contains("alice"), m);
    }
  }

  @Test
  void theDiskCacheServesChunksAcrossOpensAndSurvivesDamage(@TempDir Path dir) throws Exception {
    assertTimeoutPreemptively(BOUND, () -> {
      RemoteOptions o = options().diskCache(dir, 64 << 20).build();
      try (ByteSource s = open(o)) {
        for (int pos = 0; pos < data.length; pos += 100_000) {
          read(s, pos, 1000);
        }
      }
      List<Path> files;
      try (Stream<Path> st = Files.walk(dir)) {
        files = st.filter(p -> p.toString().endsWith(".chunk")).toList();
      }
      assertTrue(files.size() > 10, "chunks on disk: " + files.size());
      Files.write(files.get(3), new byte[] {1, 2, 3}); // damaged
      int before = server.objectRequests.get();
      try (ByteSource s = open(o)) {
        for (int pos = 0; pos < data.length; pos += 100_000) {
          assertArrayEquals(expected(pos, 1000), read(s, pos, 1000));
        }
        RemoteStats st = s.remoteStats().orElseThrow();
        assertTrue(st.diskHits() >= files.size() - 2, st.toString());
        assertTrue(server.objectRequests.get() - before <= 2, "open + the damaged chunk: " + st);
      }
      // A changed object does not meet the old chunks.
      byte[] other = data.clone();
      other[150_000] ^= 1;
      server.setContent(other);
      try (ByteSource s = open(o)) {
        assertEquals(other[150_000], read(s, 150_000, 1)[0]);
      }
    });
  }

  @Test
  void theDiskCacheStaysWithinItsLimit(@TempDir Path dir) throws Exception {
    assertTimeoutPreemptively(BOUND, () -> {
      long limit = 4L << 20;
      try (ByteSource s = open(options().diskCache(dir, limit).build())) {
        byte[] all = s.readFully(0, data.length);
        assertArrayEquals(data, all);
      }
      long total;
      try (Stream<Path> st = Files.walk(dir)) {
        total = st.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
      }
      assertTrue(total <= limit, "disk cache holds " + total + " bytes, limit " + limit);
    });
  }

  @Test
  void closedSourcesRefuseReads() throws Exception {
    ByteSource s = open(options().build());
    s.close();
    s.close();
    assertThrows(IOException.class, () -> read(s, 0, 1));
  }
}
