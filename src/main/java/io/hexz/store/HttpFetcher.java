package io.hexz.store;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An object on a web server read with HTTP range requests ({@link HttpClient}: pooled
 * connections, HTTP/2 over TLS where the server offers it). Thread-safe; the pinned validators
 * are written once at open.
 *
 * <p>Open: one {@code GET} of the first chunk ({@code Range: bytes=0-N}) gives the size (from
 * Content-Range), the ETag / Last-Modified that pin the object, and the first chunk itself (the
 * snapshot header). A HEAD is not used: pre-signed URLs are often signed for GET only.
 *
 * <p>Every range answer is checked before a byte is kept: status 206 (a 200 means the server
 * ignores Range and is refused), a Content-Range equal to the range asked for, no
 * Content-Encoding, the ETag (or Last-Modified) and total size of the opened object, and exactly
 * as many body bytes as asked for. Requests carry {@code If-Match} when the object has a strong
 * ETag; a 412 means the object changed. Without one, each answer's Last-Modified and total size
 * must equal those seen at open. {@code If-Unmodified-Since} is never sent: HTTP dates carry whole
 * seconds, and servers that compare them with a sub-second mtime (S3Proxy's filesystem backend)
 * fail every request for an unchanged object with 412.
 *
 * <p>Redirects are followed here, not by the client, at most 5 hops, each target checked by
 * {@link AddressPolicy}; https never redirects to http. Open remembers where the redirects led
 * and later requests go there directly. Credentials in the URL's user info are sent as Basic
 * authorization only to the URL's own host; neither they nor the query ever appear in names.
 */
final class HttpFetcher implements RangeFetcher {
  private static final int MAX_REDIRECTS = 5;

  private final URI origin;
  private final String name;
  private final RemoteOptions options;
  private final AddressPolicy policy;
  private final Stats stats;
  private final ExecutorService executor;
  private final HttpClient client;
  private final String authorization; // null without user info
  private volatile URI target;
  // Pinned at open, before the fetcher is shared (publication through the constructor of the source).
  private long size;
  private String etag;
  private String lastModified;
  private byte[] probe;

  private HttpFetcher(URI uri, RemoteOptions options, AddressPolicy policy, Stats stats) {
    this.origin = uri;
    this.policy = policy;
    this.target = uri;
    this.name = Uris.redact(uri);
    this.options = options;
    this.stats = stats;
    String user = uri.getUserInfo();
    this.authorization = user == null ? null
        : "Basic " + Base64.getEncoder().encodeToString(user.getBytes(StandardCharsets.UTF_8));
    AtomicInteger n = new AtomicInteger();
    this.executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "hexz-http-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.client = HttpClient.newBuilder()
        .version("https".equalsIgnoreCase(uri.getScheme()) ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(options.connectTimeout())
        .executor(executor)
        .build();
  }

  /** Opens {@code uri}: follows redirects, pins the object and fetches its first chunk. */
  static HttpFetcher open(URI uri, RemoteOptions options, AddressPolicy policy, Stats stats, Retrier retrier)
      throws IOException {
    HttpFetcher f = new HttpFetcher(uri, options, policy, stats);
    try {
      retrier.call(f.name, () -> {
        f.probe();
        return null;
      });
      return f;
    } catch (IOException | RuntimeException e) {
      f.close();
      throw e;
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public String validator() {
    return RangeFetcher.describeValidator(etag, lastModified);
  }

  @Override
  public synchronized byte[] takeProbe() {
    byte[] p = probe;
    probe = null;
    return p;
  }

  private void probe() throws IOException {
    long last = options.chunkSize() - 1;
    HttpResponse<byte[][]> r = get(0, last, false, info -> {
      ContentRange range = ContentRange.parse(name, header(info.headers(), "Content-Range"));
      if (range.first() != 0 || range.last() > last || !range.totalKnown() || range.last() >= range.total()) {
        throw new RemoteException(name, "server answered a request for bytes 0-" + last + " with Content-Range "
            + header(info.headers(), "Content-Range") + " (wrong Content-Range)");
      }
      size = range.total();
      return new byte[][] {new byte[(int) (range.last() + 1)]};
    });
    HttpHeaders h = r.headers();
    if (r.statusCode() == 416) {
      if (!ContentRange.unsatisfiedForEmpty(header(h, "Content-Range"))) {
        throw new RemoteException(name, "server refused the range bytes 0-" + last + " (HTTP 416, Content-Range "
            + header(h, "Content-Range") + ")");
      }
      size = 0;
    } else if (r.statusCode() == 200 && "0".equals(header(h, "Content-Length"))) {
      size = 0; // an empty object: nothing to range over
    } else {
      probe = r.body()[0];
    }
    etag = h.firstValue("ETag").orElse(null);
    lastModified = h.firstValue("Last-Modified").orElse(null);
  }

  @Override
  public void fetch(long offset, byte[][] parts) throws IOException {
    long total = 0;
    for (byte[] p : parts) {
      total += p.length;
    }
    long last = offset + total - 1;
    get(offset, last, true, info -> {
      HttpHeaders h = info.headers();
      ContentRange range = ContentRange.parse(name, header(h, "Content-Range"));
      if (range.totalKnown() && range.total() != size) {
        throw new RemoteChangedException(name, "its size is now " + range.total() + " bytes, was " + size);
      }
      if (range.first() != offset || range.last() != last) {
        throw new RemoteException(name, "server answered a request for bytes " + offset + "-" + last
            + " with Content-Range " + header(h, "Content-Range") + " (wrong Content-Range)");
      }
      checkSameObject(h);
      return parts;
    });
  }

  /** Fails if the headers name another version than the pinned one. */
  private void checkSameObject(HttpHeaders h) throws IOException {
    Optional<String> e = h.firstValue("ETag");
    if (etag != null && e.isPresent() && !opaque(e.get()).equals(opaque(etag))) {
      throw new RemoteChangedException(name, "ETag is now " + e.get() + ", was " + etag);
    }
    if (!strongEtag() && lastModified != null) {
      // Nothing else pins the object: an answer that cannot be matched to it is not used.
      String lm = h.firstValue("Last-Modified").orElseThrow(() -> new RemoteException(name,
          "server answered a range without the Last-Modified it gave at open (" + lastModified
              + "), so the answer cannot be matched to the opened object"));
      if (!lm.equals(lastModified)) {
        throw new RemoteChangedException(name, "Last-Modified is now " + lm + ", was " + lastModified);
      }
    }
  }

  /** Whether the opened object has a strong ETag, which requests then carry as If-Match. */
  private boolean strongEtag() {
    return etag != null && !etag.startsWith("W/");
  }

  private static String opaque(String etag) {
    return etag.startsWith("W/") ? etag.substring(2) : etag;
  }

  /** Decides, from the status and headers of a 206, which buffers its body fills; throws to refuse it. */
  private interface Sink {
    byte[][] accept(HttpResponse.ResponseInfo info) throws IOException;
  }

  /**
   * One ranged GET of bytes {@code first..last} (inclusive), following redirects; returns the
   * final response, whose body (for a 206) has been written through {@code sink}.
   */
  private HttpResponse<byte[][]> get(long first, long last, boolean pinned, Sink sink) throws IOException {
    URI uri = target;
    for (int hop = 0; ; hop++) {
      String shown = uri == origin ? null : Uris.redact(uri);
      policy.check(name, shown, uri.getHost());
      HttpResponse<byte[][]> r = send(request(uri, first, last, pinned), sink);
      int status = r.statusCode();
      if (status == 206) {
        if (hop > 0 && !pinned) {
          target = uri;
        }
        return r;
      }
      if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
        if (hop == MAX_REDIRECTS) {
          throw new RemoteException(name, "too many redirects (more than " + MAX_REDIRECTS + ")");
        }
        uri = redirect(uri, r.headers());
        continue;
      }
      if (!pinned && (status == 416 || status == 200)) {
        if (hop > 0) {
          target = uri;
        }
        if (status == 416 || "0".equals(header(r.headers(), "Content-Length"))) {
          return r;
        }
      }
      throw HttpFailures.forStatus(name, status, pinned, etag,
          HttpFailures.retryAfter(r.headers().firstValue("Retry-After").orElse(null), ZonedDateTime.now()));
    }
  }

  private URI redirect(URI from, HttpHeaders h) throws IOException {
    String loc = h.firstValue("Location").orElseThrow(() -> new RemoteException(name, "redirect without a Location"));
    URI to;
    try {
      to = from.resolve(loc.trim());
    } catch (IllegalArgumentException e) {
      throw new RemoteException(name, "redirect to an invalid URL");
    }
    String scheme = to.getScheme() == null ? "" : to.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new RemoteException(name, "redirect to a " + (scheme.isEmpty() ? "relative" : scheme)
          + " URL is not followed");
    }
    if (scheme.equals("http") && "https".equalsIgnoreCase(from.getScheme())) {
      throw new RemoteException(name, "redirect from https to http (" + Uris.redact(to) + ") is not followed");
    }
    if (to.getHost() == null) {
      throw new RemoteException(name, "redirect to a URL without a host");
    }
    return to;
  }

  private HttpRequest request(URI uri, long first, long last, boolean pinned) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).GET().timeout(options.requestTimeout())
        .header("Range", "bytes=" + first + "-" + last)
        .header("Accept-Encoding", "identity");
    if (pinned && strongEtag()) {
      b.header("If-Match", etag);
    }
    if (authorization != null && sameOrigin(uri)) {
      b.header("Authorization", authorization);
    }
    return b.build();
  }

  private boolean sameOrigin(URI uri) {
    return uri.getScheme().equalsIgnoreCase(origin.getScheme()) && uri.getHost().equalsIgnoreCase(origin.getHost())
        && uri.getPort() == origin.getPort();
  }

  /** Sends {@code req}; the whole exchange, body included, is bounded by the request timeout. */
  private HttpResponse<byte[][]> send(HttpRequest req, Sink sink) throws IOException {
    stats.requests.increment();
    HttpResponse.BodyHandler<byte[][]> handler = info -> {
      if (info.statusCode() != 206) {
        return RangeBodySubscriber.discarding();
      }
      try {
        if (info.headers().firstValue("Content-Encoding").filter(v -> !v.equalsIgnoreCase("identity")).isPresent()) {
          throw new RemoteException(name, "server sent the range with Content-Encoding "
              + header(info.headers(), "Content-Encoding") + "; hexz needs the stored bytes");
        }
        byte[][] parts = sink.accept(info);
        long expected = 0;
        for (byte[] p : parts) {
          expected += p.length;
        }
        Optional<String> cl = info.headers().firstValue("Content-Length");
        if (cl.isPresent() && !cl.get().trim().equals(Long.toString(expected))) {
          throw new RemoteException(name, "short or long body: server sent Content-Length " + cl.get()
              + " for a range of " + expected + " bytes");
        }
        return RangeBodySubscriber.into(name, parts, expected, stats);
      } catch (IOException e) {
        return RangeBodySubscriber.failing(e);
      }
    };
    CompletableFuture<HttpResponse<byte[][]>> cf;
    try {
      cf = client.sendAsync(req, handler);
    } catch (IllegalArgumentException e) {
      throw new RemoteException(name, "invalid request: " + Uris.scrub(e.getMessage(), req.uri()));
    }
    long timeout = options.requestTimeout().toNanos();
    try {
      return cf.get(timeout, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      cf.cancel(true);
      throw new TransientException("no complete answer within " + HttpFailures.seconds(options.requestTimeout()),
          null, null);
    } catch (InterruptedException e) {
      cf.cancel(true);
      Thread.currentThread().interrupt();
      throw new InterruptedIOException(name + ": interrupted");
    } catch (ExecutionException e) {
      throw HttpFailures.forTransport(name, HttpFailures.unwrap(e.getCause()), req.uri(), options.connectTimeout(),
          options.requestTimeout());
    }
  }

  private static String header(HttpHeaders h, String key) {
    return h.firstValue(key).orElse("");
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
