package io.hexz.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The classification of HTTP failures, without a server: which are retried, which are final, and what they say. */
class HttpFailuresTest {
  private static final String NAME = "https://host/obj";
  private static final URI URI_WITH_SECRETS = URI.create("https://user:pw@host/obj?X-Amz-Signature=abc");
  private static final Duration CONNECT = Duration.ofSeconds(2);
  private static final Duration REQUEST = Duration.ofMillis(1500);

  @ParameterizedTest(name = "[{index}] HTTP {0}, pinned={1}")
  @CsvSource(delimiter = '|', value = {
      // status | pinned | type                  | message (contained)
      "200      | false  | RemoteException        | server ignores Range requests (answered 200",
      "200      | true   | RemoteException        | server ignores Range requests (answered 200",
      "412      | true   | RemoteChangedException | HTTP 412 Precondition Failed for If-Match \"v1\"",
      "412      | false  | RemoteException        | unexpected answer HTTP 412",
      "416      | true   | RemoteChangedException | HTTP 416: the range is no longer inside it",
      "404      | true   | RemoteChangedException | it is gone: HTTP 404",
      "410      | true   | RemoteChangedException | it is gone: HTTP 410",
      "404      | false  | NoSuchFileException    | not found (HTTP 404)",
      "410      | false  | NoSuchFileException    | not found (HTTP 410)",
      "401      | true   | AccessDeniedException  | access denied (HTTP 401)",
      "403      | false  | AccessDeniedException  | access denied (HTTP 403)",
      "408      | true   | TransientException     | HTTP 408",
      "425      | true   | TransientException     | HTTP 425",
      "429      | false  | TransientException     | HTTP 429",
      "500      | true   | TransientException     | HTTP 500",
      "503      | false  | TransientException     | HTTP 503",
      "599      | true   | TransientException     | HTTP 599",
      "304      | true   | RemoteException        | unexpected answer HTTP 304",
      "400      | true   | RemoteException        | unexpected answer HTTP 400",
      "418      | false  | RemoteException        | unexpected answer HTTP 418",
  })
  void statusesAreClassified(int status, boolean pinned, String type, String message) {
    IOException e = HttpFailures.forStatus(NAME, status, pinned, "\"v1\"", Duration.ofSeconds(7));
    assertEquals(type, e.getClass().getSimpleName());
    assertTrue(e.getMessage().contains(message), e.getMessage());
    if (e instanceof TransientException t) {
      assertEquals(Duration.ofSeconds(7), t.retryAfter, "the server's Retry-After is kept");
      assertEquals("HTTP " + status, t.reason);
    } else {
      assertTrue(e.getMessage().startsWith(NAME + ": "), "final failures name the object: " + e.getMessage());
    }
  }

  @Test
  void ourOwnVerdictsPassUnchanged() {
    IOException[] own = {new RemoteException(NAME, "x"), new RemoteChangedException(NAME, "y"),
        new TransientException("z", null, null), new InterruptedIOException("w")};
    for (IOException e : own) {
      assertSame(e, HttpFailures.forTransport(NAME, e, URI_WITH_SECRETS, CONNECT, REQUEST));
    }
  }

  @Test
  void transportFailuresAreTransientExceptTlsTrustAndNonIoErrors() {
    assertTransient("connect timed out after 2 s", new HttpConnectTimeoutException("HTTP connect timed out"));
    assertTransient("no answer within 1500 ms", new HttpTimeoutException("request timed out"));
    assertTransient("cannot connect (connection refused)", new ConnectException());
    assertTransient("cannot connect: Connection refused", new ConnectException("Connection refused"));
    assertTransient("connection failed: Connection reset", new IOException("Connection reset"));
    assertTransient("connection failed: IOException", new IOException(""));
    SSLException reset = new SSLException("closed", new SocketException("Connection reset"));
    assertTransient("connection failed: closed", reset);

    IOException tls = HttpFailures.forTransport(NAME, new SSLHandshakeException("PKIX path building failed"),
        URI_WITH_SECRETS, CONNECT, REQUEST);
    assertEquals(RemoteException.class, tls.getClass());
    assertEquals(NAME + ": TLS failed: PKIX path building failed", tls.getMessage());

    IOException other = HttpFailures.forTransport(NAME, new IllegalStateException("boom"), URI_WITH_SECRETS,
        CONNECT, REQUEST);
    assertEquals(RemoteException.class, other.getClass());
    assertEquals(NAME + ": request failed: boom", other.getMessage());
    assertTrue(other.getCause() instanceof IllegalStateException);
  }

  @Test
  void transportMessagesNeverCarryTheUrlsSecrets() {
    IOException e = HttpFailures.forTransport(NAME, new IOException("failed for " + URI_WITH_SECRETS),
        URI_WITH_SECRETS, CONNECT, REQUEST);
    assertFalse(e.getMessage().contains("pw") || e.getMessage().contains("abc"), e.getMessage());
  }

  private static void assertTransient(String reason, Throwable t) {
    IOException e = HttpFailures.forTransport(NAME, t, URI_WITH_SECRETS, CONNECT, REQUEST);
    assertEquals(TransientException.class, e.getClass(), String.valueOf(e));
    assertEquals(reason, ((TransientException) e).reason);
    assertSame(t, e.getCause());
  }

  @Test
  void unwrapFindsTheCauseInsideAsyncWrappers() {
    IOException cause = new IOException("reset");
    assertSame(cause, HttpFailures.unwrap(new ExecutionException(new CompletionException(cause))));
    assertSame(cause, HttpFailures.unwrap(cause));
    CompletionException empty = new CompletionException(null);
    assertSame(empty, HttpFailures.unwrap(empty));
  }

  @Test
  void retryAfterIsSecondsOrAnHttpDate() {
    ZonedDateTime now = ZonedDateTime.of(2026, 1, 2, 3, 4, 5, 0, ZoneOffset.UTC);
    assertNull(HttpFailures.retryAfter(null, now));
    assertEquals(Duration.ofSeconds(120), HttpFailures.retryAfter(" 120 ", now));
    assertEquals(Duration.ofSeconds(65), HttpFailures.retryAfter("Fri, 02 Jan 2026 03:05:10 GMT", now));
    assertEquals(Duration.ofSeconds(-5), HttpFailures.retryAfter("Fri, 02 Jan 2026 03:04:00 GMT", now),
        "a date in the past is a negative delay (the Retrier waits its own backoff)");
    assertNull(HttpFailures.retryAfter("soon", now));
    assertNull(HttpFailures.retryAfter("", now));
  }

  @Test
  void timeoutsAreShownAsPeopleWriteThem() {
    assertEquals("30 s", HttpFailures.seconds(Duration.ofSeconds(30)));
    assertEquals("1500 ms", HttpFailures.seconds(Duration.ofMillis(1500)));
  }
}
