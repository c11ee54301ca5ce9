package io.hexz.store;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real HTTP server on loopback (the JDK's HttpServer) that serves one object at {@code /obj}
 * with Range, If-Match and If-Unmodified-Since support, a redirect at {@code /redirect}, and fault
 * modes switched on by tests. Thread-safe.
 */
final class RangeServer implements AutoCloseable {
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d+)");

  /** What the server does wrong, if anything. */
  enum Fault {
    NONE,
    /** Answers 500 to the next {@code faultCount} requests. */
    ERROR_500,
    /** Sends headers and half the body of the next {@code faultCount} range requests, then drops the connection. */
    DROP_MID_BODY,
    /** Answers 200 with the whole object, whatever the Range. */
    IGNORE_RANGE,
    /** Answers 206 with a consistent Content-Length but half the range's bytes. */
    SHORT_BODY,
    /** Answers 206 with a Content-Range one byte off. */
    WRONG_CONTENT_RANGE,
    /** Sends headers and a few bytes, then stalls (for the next {@code faultCount} range requests). */
    STALL,
    /** Answers 429 with Retry-After: 1 to the next {@code faultCount} requests. */
    TOO_MANY,
    /** Answers 404. */
    NOT_FOUND,
    /** Answers 403. */
    FORBIDDEN,
    /** Ignores If-Match and If-Unmodified-Since (the client must compare validators itself). */
    IGNORE_CONDITIONS,
    /**
     * Compares If-Unmodified-Since with a sub-second mtime, as S3Proxy's filesystem backend does:
     * every such precondition fails with 412 although the object did not change.
     */
    SUBSECOND_DATES,
    /** Sends no Last-Modified with range answers (it still sends one with the first). */
    NO_LAST_MODIFIED_LATER
  }

  private final HttpServer server;
  private final ExecutorService pool;
  private volatile byte[] content;
  private volatile String etag;
  private volatile String lastModified;
  private volatile boolean sendEtag = true;
  private volatile Fault fault = Fault.NONE;
  private final AtomicInteger faultCount = new AtomicInteger();
  private volatile String redirectTo;
  private volatile long delayMillis;
  final AtomicInteger requests = new AtomicInteger();
  final AtomicInteger objectRequests = new AtomicInteger();
  final AtomicLong bytesSent = new AtomicLong();
  /** How many copies of the file an IGNORE_RANGE answer sends as its body. */
  static final int IGNORED_RANGE_COPIES = 16;
  final List<String> authorizations = new CopyOnWriteArrayList<>();
  final List<String> ranges = new CopyOnWriteArrayList<>();
  /** Client ports seen: fewer than the requests means connections were reused. */
  final java.util.Set<Integer> clientPorts = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final AtomicInteger version = new AtomicInteger();
  private final AtomicInteger replaceAfter = new AtomicInteger();
  private volatile byte[] replacement;

  RangeServer(byte[] content) throws IOException {
    this(content, InetAddress.getLoopbackAddress());
  }

  RangeServer(byte[] content, InetAddress bind) throws IOException {
    setContent(content);
    server = HttpServer.create(new InetSocketAddress(bind, 0), 64);
    AtomicInteger n = new AtomicInteger();
    pool = Executors.newFixedThreadPool(16, r -> {
      Thread t = new Thread(r, "test-range-server-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(pool);
    server.createContext("/", this::handle);
    server.start();
  }

  /** Replaces the object: new content, new ETag, new Last-Modified. */
  void setContent(byte[] c) {
    content = c;
    int v = version.incrementAndGet();
    etag = "\"v" + v + "-" + c.length + "\"";
    lastModified = DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.ofEpochSecond(1_700_000_000L + v * 3600L)
        .atZone(ZoneOffset.UTC));
  }

  /**
   * Serves the current object to the next {@code n} object requests and {@code next} (with a new
   * ETag) from then on: a server that answers a later open with another object.
   */
  void replaceAfter(int n, byte[] next) {
    replaceAfter.set(n);
    replacement = next;
  }

  void sendEtag(boolean on) {
    sendEtag = on;
  }

  void fault(Fault f, int count) {
    faultCount.set(count);
    fault = f;
  }

  void redirectTo(String url) {
    redirectTo = url;
  }

  void delay(long millis) {
    delayMillis = millis;
  }

  URI uri(String path) {
    return URI.create("http://" + host() + ":" + server.getAddress().getPort() + path);
  }

  String host() {
    InetAddress a = server.getAddress().getAddress();
    return a instanceof java.net.Inet6Address ? "[" + a.getHostAddress() + "]" : a.getHostAddress();
  }

  int port() {
    return server.getAddress().getPort();
  }

  private boolean takeFault(Fault f) {
    if (fault != f) {
      return false;
    }
    return faultCount.getAndDecrement() > 0;
  }

  private void handle(HttpExchange x) throws IOException {
    requests.incrementAndGet();
    clientPorts.add(x.getRemoteAddress().getPort());
    try (x) {
      x.getRequestHeaders().getOrDefault("Authorization", List.of()).forEach(authorizations::add);
      String path = x.getRequestURI().getPath();
      if (path.startsWith("/redirect")) {
        int hops = path.length() > "/redirect".length() ? Integer.parseInt(path.substring("/redirect/".length())) : 0;
        String to = hops > 0 ? "/redirect/" + (hops - 1) : redirectTo;
        x.getResponseHeaders().set("Location", to);
        x.sendResponseHeaders(302, -1);
        return;
      }
      if (!path.equals("/obj")) {
        x.sendResponseHeaders(404, -1);
        return;
      }
      objectRequests.incrementAndGet();
      if (replacement != null && replaceAfter.getAndDecrement() <= 0) {
        setContent(replacement);
        replacement = null;
      }
      if (delayMillis > 0) {
        sleep(delayMillis);
      }
      if (takeFault(Fault.ERROR_500)) {
        x.sendResponseHeaders(500, -1);
        return;
      }
      if (takeFault(Fault.TOO_MANY)) {
        x.getResponseHeaders().set("Retry-After", "1");
        x.sendResponseHeaders(429, -1);
        return;
      }
      if (fault == Fault.NOT_FOUND) {
        x.sendResponseHeaders(404, -1);
        return;
      }
      if (fault == Fault.FORBIDDEN) {
        x.sendResponseHeaders(403, -1);
        return;
      }
      byte[] c = content;
      String tag = etag;
      String lm = lastModified;
      if (sendEtag) {
        x.getResponseHeaders().set("ETag", tag);
      }
      if (fault != Fault.NO_LAST_MODIFIED_LATER || objectRequests.get() == 1) {
        x.getResponseHeaders().set("Last-Modified", lm);
      }
      x.getResponseHeaders().set("Accept-Ranges", "bytes");
      if (fault != Fault.IGNORE_CONDITIONS) {
        String ifMatch = x.getRequestHeaders().getFirst("If-Match");
        String ifUnmod = x.getRequestHeaders().getFirst("If-Unmodified-Since");
        boolean unmodFails = ifUnmod != null && (fault == Fault.SUBSECOND_DATES || !ifUnmod.equals(lm));
        if ((ifMatch != null && (!sendEtag || !ifMatch.equals(tag))) || unmodFails) {
          x.sendResponseHeaders(412, -1);
          return;
        }
      }
      String range = x.getRequestHeaders().getFirst("Range");
      if (range != null) {
        ranges.add(range);
      }
      Matcher m = range == null ? null : RANGE.matcher(range);
      if (fault == Fault.IGNORE_RANGE) {
        // A body far larger than loopback socket buffers (which can absorb the whole 3 MiB file),
        // written in pieces and counted as they go: how much was sent shows whether the client
        // kept reading after it saw the 200.
        x.sendResponseHeaders(200, (long) c.length * IGNORED_RANGE_COPIES);
        OutputStream out = x.getResponseBody();
        for (int i = 0; i < IGNORED_RANGE_COPIES; i++) {
          for (int off = 0; off < c.length; off += 64 * 1024) {
            write(out, c, off, Math.min(64 * 1024, c.length - off));
          }
        }
        return;
      }
      if (m == null || !m.matches()) {
        x.sendResponseHeaders(200, c.length);
        write(x.getResponseBody(), c, 0, c.length);
        return;
      }
      long first = Long.parseLong(m.group(1));
      long last = Math.min(Long.parseLong(m.group(2)), c.length - 1L);
      if (first >= c.length) {
        x.getResponseHeaders().set("Content-Range", "bytes */" + c.length);
        x.sendResponseHeaders(416, -1);
        return;
      }
      int len = (int) (last - first + 1);
      long shownFirst = fault == Fault.WRONG_CONTENT_RANGE ? first + 1 : first;
      long shownLast = fault == Fault.WRONG_CONTENT_RANGE ? last + 1 : last;
      x.getResponseHeaders().set("Content-Range", "bytes " + shownFirst + "-" + shownLast + "/" + c.length);
      if (fault == Fault.SHORT_BODY && len > 1) {
        x.sendResponseHeaders(206, len / 2);
        write(x.getResponseBody(), c, (int) first, len / 2);
        return;
      }
      if (takeFault(Fault.DROP_MID_BODY)) {
        x.sendResponseHeaders(206, len);
        OutputStream out = x.getResponseBody();
        write(out, c, (int) first, len / 2);
        out.flush();
        // Closing the exchange with fewer bytes than announced makes the server drop the connection.
        return;
      }
      if (takeFault(Fault.STALL)) {
        x.sendResponseHeaders(206, len);
        OutputStream out = x.getResponseBody();
        write(out, c, (int) first, Math.min(len, 16));
        out.flush();
        sleep(60_000);
        return;
      }
      x.sendResponseHeaders(206, len);
      write(x.getResponseBody(), c, (int) first, len);
    } catch (IOException e) {
      // the client went away (after a cancel or a timeout): nothing to do
    }
  }

  /**
   * Counts, then writes: counted after the write, the last piece could still be uncounted when
   * the client has already read it (a race the sequential-read test lost under load).
   */
  private void write(OutputStream out, byte[] c, int off, int len) throws IOException {
    bytesSent.addAndGet(len);
    out.write(c, off, len);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
    try {
      pool.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
