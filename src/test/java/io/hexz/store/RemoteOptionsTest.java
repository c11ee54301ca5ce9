package io.hexz.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Options are checked when set, with messages that state the rule and the value; retry delays are bounded. */
class RemoteOptionsTest {
  @Test
  void defaults() {
    RemoteOptions o = RemoteOptions.DEFAULTS;
    assertEquals(false, o.allowRestricted());
    assertEquals(4, o.maxRetries());
    assertEquals(256 << 10, o.chunkSize());
    assertEquals(4 << 20, o.readaheadBytes());
    assertTrue(o.endpointUrl().isEmpty() && o.region().isEmpty() && o.diskCacheDir().isEmpty());
  }

  @Test
  void badValuesAreRefusedWithTheRuleAndTheValue() {
    assertEquals("chunkSize (100000) must be a power of two between 4 KiB and 16 MiB",
        assertThrows(IllegalArgumentException.class, () -> RemoteOptions.builder().chunkSize(100_000)).getMessage());
    assertEquals("maxRetries (-1) must be between 0 and 20",
        assertThrows(IllegalArgumentException.class, () -> RemoteOptions.builder().maxRetries(-1)).getMessage());
    assertEquals("readaheadBytes (4096) must be at least chunkSize (262144)",
        assertThrows(IllegalArgumentException.class, () -> RemoteOptions.builder().readaheadBytes(4096).build())
            .getMessage());
    assertEquals("cacheBytes (1048576) must be at least twice readaheadBytes (4194304)",
        assertThrows(IllegalArgumentException.class, () -> RemoteOptions.builder().cacheBytes(1 << 20).build())
            .getMessage());
    assertEquals("endpointUrl (http://minio:9000/) must be an http or https URL with a host and without credentials"
        + " or query", assertThrows(IllegalArgumentException.class,
            () -> RemoteOptions.builder().endpointUrl(URI.create("http://key:secret@minio:9000/?x=1"))).getMessage());
    assertThrows(IllegalArgumentException.class, () -> RemoteOptions.builder().requestTimeout(Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> RemoteOptions.builder().region("EU WEST"));
  }

  @Test
  void retryDelaysGrowWithJitterAndStayBelowTheCap() {
    RemoteOptions o = RemoteOptions.builder().retryDelays(Duration.ofMillis(100), Duration.ofSeconds(2)).build();
    Retrier r = new Retrier(o, new Stats());
    for (int attempt = 0; attempt < 40; attempt++) {
      long cap = Math.min(2_000_000_000L, 100_000_000L << Math.min(attempt, 20));
      for (int i = 0; i < 50; i++) {
        long d = r.delayNanos(attempt, null);
        assertTrue(d >= 0 && d <= cap, attempt + ": " + d);
      }
    }
    assertEquals(2_000_000_000L, r.delayNanos(0, Duration.ofHours(1)), "Retry-After is capped");
    assertEquals(2_000_000_000L, r.delayNanos(0, HttpFailures.retryAfter("99999999999999", null)),
        "a Retry-After past what nanoseconds in a long can hold is capped too");
  }
}
