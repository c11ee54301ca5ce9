package io.hexz.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hexz.testing.Seeds;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The S3 source against a real S3-compatible server: S3Proxy (jclouds' transient blob store)
 * in-process on a loopback port, with AWS signature checking on. Credentials reach the SDK through
 * the default AWS chain (the aws.accessKeyId / aws.secretAccessKey system properties).
 */
class S3ByteSourceTest {
  private static final Duration BOUND = Duration.ofSeconds(60);
  static final String ACCESS = "hexz-test-access";
  static final String SECRET = "hexz-test-secret-Zq8s";
  private static final long SEED = Seeds.random(S3ByteSourceTest.class);

  private static S3Server s3;
  private static byte[] data;

  @BeforeAll
  static void start() throws Exception {
    s3 = S3Server.start();
    data = new byte[2 * 1024 * 1024 + 777];
    new Random(SEED).nextBytes(data);
    s3.put("bucket", "dir/snap.hxz", data);
  }

  @AfterAll
  static void stop() throws Exception {
    s3.close();
  }

  static RemoteOptions.Builder options() {
    return RemoteOptions.builder().endpointUrl(s3.endpoint()).region("us-east-1").allowRestricted(true)
        .chunkSize(64 << 10).readaheadBytes(1 << 20).cacheBytes(8 << 20)
        .retryDelays(Duration.ofMillis(5), Duration.ofMillis(50));
  }

  @Test
  void readsBackByteIdentical() throws Exception {
    assertTimeoutPreemptively(BOUND, () -> {
      Random rnd = new Random(Seeds.derive(SEED, "s3"));
      try (ByteSource s = ByteSources.open(URI.create("s3://bucket/dir/snap.hxz"), options().build())) {
        assertEquals("s3://bucket/dir/snap.hxz", s.name());
        assertEquals(data.length, s.size());
        for (int i = 0; i < 200; i++) {
          int len = rnd.nextInt(100_000);
          long pos = rnd.nextInt(data.length - len + 1);
          assertArrayEquals(Arrays.copyOfRange(data, (int) pos, (int) pos + len), s.readFully(pos, len),
              Seeds.describe(SEED));
        }
      }
      try (ByteSource s = ByteSources.open(URI.create("s3://bucket/dir/snap.hxz"), options().build())) {
        byte[] all = new byte[data.length];
        for (int pos = 0; pos < data.length; pos += 32 << 10) {
          s.readFully(ByteBuffer.wrap(all, pos, Math.min(32 << 10, data.length - pos)), pos);
        }
        assertArrayEquals(data, all);
        RemoteStats st = s.remoteStats().orElseThrow();
        assertEquals(data.length, st.bytesFetched(), st.toString());
        assertTrue(st.requests() <= 1 + 8, "HeadObject + coalesced GETs: " + st);
      }
    });
  }

  @Test
  void anObjectReplacedMidReadIsDetected() throws Exception {
    assertTimeoutPreemptively(BOUND, () -> {
      s3.put("bucket", "changing.hxz", data);
      try (ByteSource s = ByteSources.open(URI.create("s3://bucket/changing.hxz"), options().build())) {
        assertArrayEquals(Arrays.copyOfRange(data, 0, 10), s.readFully(0, 10));
        byte[] other = data.clone();
        other[1_500_000] ^= 1;
        s3.put("bucket", "changing.hxz", other);
        RemoteChangedException e = assertThrows(RemoteChangedException.class, () -> s.readFully(1_500_000, 10));
        assertTrue(e.getMessage().startsWith("s3://bucket/changing.hxz: changed on the server since it was opened ("),
            e.getMessage());
      }
    });
  }

  @Test
  void anObjectReplacedByALargerOneOrDeletedIsDetected() throws Exception {
    assertTimeoutPreemptively(BOUND, () -> {
      s3.put("bucket", "grows.hxz", data);
      s3.put("bucket", "goes.hxz", data);
      try (ByteSource grows = ByteSources.open(URI.create("s3://bucket/grows.hxz"), options().build());
          ByteSource goes = ByteSources.open(URI.create("s3://bucket/goes.hxz"), options().build())) {
        s3.put("bucket", "grows.hxz", Arrays.copyOf(data, data.length * 2));
        s3.delete("bucket", "goes.hxz");
        RemoteChangedException e = assertThrows(RemoteChangedException.class, () -> grows.readFully(1_000_000, 10));
        assertTrue(e.getMessage().startsWith("s3://bucket/grows.hxz: changed on the server since it was opened ("),
            e.getMessage());
        e = assertThrows(RemoteChangedException.class, () -> goes.readFully(1_000_000, 10));
        assertTrue(e.getMessage().contains("(it is gone: S3 NoSuchKey, HTTP 404)"), e.getMessage());
      }
    });
  }

  @Test
  void missingObjectsAndBucketsAreNoSuchFile() throws Exception {
    assertTimeoutPreemptively(BOUND, () -> {
      NoSuchFileException e = assertThrows(NoSuchFileException.class,
          () -> ByteSources.open(URI.create("s3://bucket/nope.hxz"), options().build()));
      assertTrue(e.getMessage().startsWith("s3://bucket/nope.hxz: not found (S3 "), e.getMessage());
      assertThrows(NoSuchFileException.class,
          () -> ByteSources.open(URI.create("s3://no-such-bucket/x.hxz"), options().build()));
      assertThrows(RemoteException.class, () -> ByteSources.open(URI.create("s3://bucket"), options().build()));
    });
  }

  @Test
  void wrongCredentialsAreAccessDeniedWithoutTheSecret() throws Exception {
    assertTimeoutPreemptively(BOUND, () -> {
      System.setProperty("aws.secretAccessKey", "wrong-secret-Pq2");
      try {
        AccessDeniedException e = assertThrows(AccessDeniedException.class,
            () -> ByteSources.open(URI.create("s3://bucket/dir/snap.hxz"), options().build()));
        assertTrue(e.getMessage().startsWith("s3://bucket/dir/snap.hxz: access denied (S3 "), e.getMessage());
        for (Throwable t = e; t != null; t = t.getCause()) {
          assertFalse(String.valueOf(t.getMessage()).contains("wrong-secret-Pq2"), t.getMessage());
        }
      } finally {
        System.setProperty("aws.secretAccessKey", SECRET);
      }
    });
  }

  @Test
  void anUnreachableEndpointFailsInBoundedTime() throws Exception {
    assertTimeoutPreemptively(BOUND, () -> {
      int closedPort;
      try (java.net.ServerSocket ss = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        closedPort = ss.getLocalPort();
      }
      RemoteOptions o = options().endpointUrl(URI.create("http://127.0.0.1:" + closedPort)).maxRetries(2).build();
      IOException e = assertThrows(IOException.class, () -> ByteSources.open(URI.create("s3://bucket/x.hxz"), o));
      assertTrue(e.getMessage().contains("gave up after 3 attempts"), e.getMessage());
    });
  }

  /**
   * S3Proxy over jclouds' in-memory blob store (or, with {@link #startFilesystem}, over a
   * directory, as people run it to serve files that are already on a disk), on a random loopback
   * port. Not thread-safe.
   */
  static final class S3Server implements AutoCloseable {
    /** Held so that the levels set on them stay (java.util.logging keeps loggers weakly). */
    private static final java.util.logging.Logger[] QUIET = {java.util.logging.Logger.getLogger("org.eclipse.jetty"),
        java.util.logging.Logger.getLogger("org.gaul"), java.util.logging.Logger.getLogger("org.jclouds")};

    private final S3Proxy proxy;
    private final BlobStoreContext context;
    private final BlobStore store;
    private final String oldAccess;
    private final String oldSecret;

    private S3Server(S3Proxy proxy, BlobStoreContext context) {
      this.proxy = proxy;
      this.context = context;
      this.store = context.getBlobStore();
      this.oldAccess = System.getProperty("aws.accessKeyId");
      this.oldSecret = System.getProperty("aws.secretAccessKey");
      System.setProperty("aws.accessKeyId", ACCESS);
      System.setProperty("aws.secretAccessKey", SECRET);
    }

    static S3Server start() throws Exception {
      return start(ContextBuilder.newBuilder("transient").credentials("identity", "credential")
          .build(BlobStoreContext.class));
    }

    /** S3Proxy's filesystem backend: bucket B, key K is the file {@code basedir/B/K}. */
    static S3Server startFilesystem(java.nio.file.Path basedir) throws Exception {
      java.util.Properties p = new java.util.Properties();
      p.setProperty("jclouds.filesystem.basedir", basedir.toString());
      return start(ContextBuilder.newBuilder("filesystem").credentials("identity", "credential").overrides(p)
          .build(BlobStoreContext.class));
    }

    private static S3Server start(BlobStoreContext ctx) throws Exception {
      for (java.util.logging.Logger l : QUIET) {
        l.setLevel(java.util.logging.Level.WARNING);
      }
      S3Proxy proxy = S3Proxy.builder().blobStore(ctx.getBlobStore()).endpoint(URI.create("http://127.0.0.1:0"))
          .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS, SECRET).build();
      proxy.start();
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (!"STARTED".equals(proxy.getState())) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
        }
        Thread.sleep(10);
      }
      return new S3Server(proxy, ctx);
    }

    URI endpoint() {
      return URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    void put(String bucket, String key, byte[] bytes) {
      store.createContainerInLocation(null, bucket);
      store.putBlob(bucket, store.blobBuilder(key).payload(bytes).contentLength(bytes.length).build());
    }

    void delete(String bucket, String key) {
      store.removeBlob(bucket, key);
    }

    @Override
    public void close() throws Exception {
      try {
        proxy.stop();
      } finally {
        context.close();
        restore("aws.accessKeyId", oldAccess);
        restore("aws.secretAccessKey", oldSecret);
      }
    }

    private static void restore(String key, String value) {
      if (value == null) {
        System.clearProperty(key);
      } else {
        System.setProperty(key, value);
      }
    }
  }
}
