package io.hexz.store;

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
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLException;

/**
 * What an HTTP failure means for a read: pure functions from a status or a transport exception
 * to the exception {@link Retrier} and the caller act on. A {@link TransientException} is
 * retried; a {@link RemoteChangedException} says the pinned object is gone or changed; a
 * {@link RemoteException}, {@link NoSuchFileException} or {@link AccessDeniedException} is final.
 * Stateless.
 */
final class HttpFailures {
  private HttpFailures() {}

  /**
   * The failure for an answer with {@code status} that is not the expected 206 (nor a redirect).
   *
   * @param name the object's redacted URI, for messages
   * @param pinned whether the request is for a range of the opened object (not the probe at open)
   * @param etag the ETag pinned at open (or null), named in a 412's message
   * @param retryAfter the server's Retry-After, or null
   */
  static IOException forStatus(String name, int status, boolean pinned, String etag, Duration retryAfter) {
    if (status == 200) {
      return new RemoteException(name, "server ignores Range requests (answered 200 with the whole object instead of"
          + " 206 Partial Content); serve the snapshot from a server that supports Range requests");
    }
    if (status == 412 && pinned) {
      return new RemoteChangedException(name, "HTTP 412 Precondition Failed for If-Match " + etag);
    }
    if (status == 416 && pinned) {
      return new RemoteChangedException(name, "HTTP 416: the range is no longer inside it");
    }
    if ((status == 404 || status == 410) && pinned) {
      return new RemoteChangedException(name, "it is gone: HTTP " + status);
    }
    if (status == 404 || status == 410) {
      return new NoSuchFileException(name, null, "not found (HTTP " + status + ")");
    }
    if (status == 401 || status == 403) {
      return new AccessDeniedException(name, null, "access denied (HTTP " + status + ")");
    }
    if (status == 408 || status == 425 || status == 429 || status >= 500) {
      return new TransientException("HTTP " + status, retryAfter, null);
    }
    return new RemoteException(name, "unexpected answer HTTP " + status);
  }

  /**
   * The failure for {@code t}, thrown while sending a request to {@code uri} or reading its
   * answer: our own verdicts pass unchanged; transport failures become transient, except TLS
   * trust problems (an SSLException not caused by the socket) and anything not an IOException.
   * Messages never carry the URI's credentials or query.
   */
  static IOException forTransport(String name, Throwable t, URI uri, Duration connectTimeout,
      Duration requestTimeout) {
    if (t instanceof RemoteException || t instanceof TransientException || t instanceof RestrictedAddressException
        || t instanceof InterruptedIOException) {
      return (IOException) t;
    }
    String what = describe(t, uri);
    if (t instanceof HttpConnectTimeoutException) {
      return new TransientException("connect timed out after " + seconds(connectTimeout), null, t);
    }
    if (t instanceof HttpTimeoutException) {
      return new TransientException("no answer within " + seconds(requestTimeout), null, t);
    }
    if (t instanceof SSLException && !(t.getCause() instanceof SocketException)) {
      return new RemoteException(name, "TLS failed: " + what, t);
    }
    if (t instanceof ConnectException) {
      return new TransientException("cannot connect" + (t.getMessage() == null ? " (connection refused)"
          : ": " + what), null, t);
    }
    if (t instanceof IOException) {
      return new TransientException("connection failed: " + what, null, t);
    }
    return new RemoteException(name, "request failed: " + what, t);
  }

  /** The cause inside the CompletionException / ExecutionException wrappers of an async send. */
  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /**
   * A Retry-After header value (delay-seconds or an HTTP date, relative to {@code now}) as a
   * duration; null if absent ({@code value} null) or unreadable.
   */
  static Duration retryAfter(String value, ZonedDateTime now) {
    if (value == null) {
      return null;
    }
    try {
      return Duration.ofSeconds(Long.parseLong(value.trim()));
    } catch (NumberFormatException e) {
      try {
        return Duration.between(now, ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME));
      } catch (RuntimeException e2) {
        return null;
      }
    }
  }

  /** A timeout as people write it: "30 s", or "1500 ms" when not whole seconds. */
  static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  private static String describe(Throwable t, URI uri) {
    String m = t.getMessage();
    return m == null || m.isBlank() ? t.getClass().getSimpleName() : Uris.scrub(m, uri);
  }
}
