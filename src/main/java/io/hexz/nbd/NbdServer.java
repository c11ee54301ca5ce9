package io.hexz.nbd;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An NBD server (fixed newstyle) over a TCP port or a Unix socket, serving a fixed set of
 * {@link NbdExport}s. Connections are served concurrently, one thread each ("hexz-nbd-N") that
 * reads its requests, with reads running on a shared pool of {@link #IO_THREADS} threads
 * ("hexz-nbd-io-N"; see {@link ReplySender} for the per-connection window), at
 * most {@link NbdOptions#maxConnections} at once (more are closed at accept); a client has
 * {@link NbdOptions#handshakeTimeout} (30 s by default) to finish its handshake, TLS handshake
 * included, so stalled connections cannot pile up. With {@link NbdOptions#tls} every client must
 * start TLS (NBD_OPT_STARTTLS) before anything else; see {@link Handshake}. {@link #close} stops accepting, ends every connection and returns once their threads ended;
 * the exports' devices are the caller's to close (after this). Thread-safe.
 */
public final class NbdServer implements Closeable {
  private static final System.Logger LOG = System.getLogger(NbdServer.class.getName());
  /**
   * Threads serving reads for all connections: enough to keep both decoding on every core and
   * remote fetches in flight while others wait on the network.
   */
  static final int IO_THREADS = Math.max(8, 2 * Runtime.getRuntime().availableProcessors());

  private final ServerSocketChannel listener;
  private final Path socketFile;
  private final Map<String, NbdExport> exports;
  private final NbdOptions options;
  private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
  private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService watchdog;
  private final Thread acceptor;
  /** Runs the connections' reads: bounded, shared, so many clients cannot start unbounded threads. */
  private final ExecutorService io;
  private final ReplyBuffers buffers = new ReplyBuffers();
  private final CountDownLatch closed = new CountDownLatch(1);
  private final AtomicInteger ids = new AtomicInteger();

  private NbdServer(ServerSocketChannel listener, Path socketFile, Map<String, NbdExport> exports, NbdOptions options) {
    this.listener = listener;
    this.socketFile = socketFile;
    this.exports = exports;
    this.options = options;
    this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "hexz-nbd-handshake-timer");
      t.setDaemon(true);
      return t;
    });
    this.acceptor = new Thread(this::acceptLoop, "hexz-nbd-accept");
    AtomicInteger ioIds = new AtomicInteger();
    this.io = Executors.newFixedThreadPool(IO_THREADS, r -> {
      Thread t = new Thread(r, "hexz-nbd-io-" + ioIds.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** {@link #start(SocketAddress, List, NbdOptions)} without TLS and with the default timeout. */
  public static NbdServer start(SocketAddress address, List<NbdExport> exports, int maxConnections) throws IOException {
    return start(address, exports, NbdOptions.builder().maxConnections(maxConnections).build());
  }

  /**
   * Listens on {@code address} (an {@link InetSocketAddress} or a {@link UnixDomainSocketAddress})
   * and serves {@code exports}.
   *
   * @throws IllegalArgumentException if there is no export or two share a name
   * @throws IOException if the address cannot be bound (a Unix socket another server answers on
   *     is in use; a stale one, left by a server that died, is replaced)
   */
  public static NbdServer start(SocketAddress address, List<NbdExport> exports, NbdOptions options)
      throws IOException {
    if (exports.isEmpty()) {
      throw new IllegalArgumentException("an NBD server needs at least one export");
    }
    Map<String, NbdExport> byName = new LinkedHashMap<>();
    for (NbdExport e : exports) {
      if (byName.put(e.name(), e) != null) {
        throw new IllegalArgumentException("two exports are named \"" + e.name() + "\"");
      }
    }
    ServerSocketChannel ch;
    Path file = null;
    if (address instanceof UnixDomainSocketAddress u) {
      file = u.getPath();
      clearStaleSocket(file);
      ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    } else {
      ch = ServerSocketChannel.open();
    }
    try {
      ch.bind(address, 64);
    } catch (IOException e) {
      ch.close();
      throw new IOException(address + ": cannot listen: " + e.getMessage(), e);
    }
    NbdServer s = new NbdServer(ch, file, byName, options);
    s.acceptor.start();
    return s;
  }

  private static void clearStaleSocket(Path file) throws IOException {
    if (!Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (!isSocket(file)) {
      throw new IOException(file + ": exists and is not a socket");
    }
    try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(file))) {
      throw new IOException(file + ": another server is listening on this socket");
    } catch (IOException e) {
      if (e.getMessage() != null && e.getMessage().contains("another server")) {
        throw e;
      }
      Files.delete(file); // nobody answers: left behind by a server that died
    }
  }

  private static boolean isSocket(Path file) {
    try {
      Object mode = Files.getAttribute(file, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS);
      return (((Integer) mode) & 0170000) == 0140000;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Where the server listens (the bound port for port 0). */
  public SocketAddress address() throws IOException {
    return listener.getLocalAddress();
  }

  private void acceptLoop() {
    try {
      while (true) {
        SocketChannel c = listener.accept();
        if (open.size() >= options.maxConnections()) {
          LOG.log(System.Logger.Level.WARNING, "refused a connection: " + options.maxConnections() + " are open");
          c.close();
          continue;
        }
        open.add(c);
        String peer = peerName(c);
        long limit = options.handshakeTimeout().toMillis();
        ScheduledFuture<?> timeout = watchdog.schedule(() -> {
          LOG.log(System.Logger.Level.WARNING, peer + ": no export chosen within " + limit + " ms");
          quietClose(c);
        }, limit, TimeUnit.MILLISECONDS);
        NbdConnection conn = new NbdConnection(c, exports, peer, () -> timeout.cancel(false), io,
            buffers, options.tls().orElse(null));
        Thread t = new Thread(() -> {
          try {
            conn.run();
          } finally {
            timeout.cancel(false);
            open.remove(c);
            threads.remove(Thread.currentThread());
          }
        }, "hexz-nbd-" + ids.incrementAndGet());
        t.setDaemon(true);
        threads.add(t);
        t.start();
      }
    } catch (ClosedChannelException e) {
      // close() stopped the server
    } catch (IOException e) {
      LOG.log(System.Logger.Level.ERROR, "accept failed, the server stops: " + e.getMessage());
    }
  }

  private static String peerName(SocketChannel c) {
    try {
      SocketAddress a = c.getRemoteAddress();
      return a == null || a.toString().isEmpty() ? "unix client" : a.toString();
    } catch (IOException e) {
      return "client";
    }
  }

  private static void quietClose(java.nio.channels.Channel c) {
    try {
      c.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  /** Number of open connections. */
  public int connections() {
    return open.size();
  }

  /** Blocks until {@link #close} has run. */
  public void awaitClosed() throws InterruptedException {
    closed.await();
  }

  @Override
  public void close() throws IOException {
    quietClose(listener);
    for (SocketChannel c : open) {
      quietClose(c);
    }
    for (Thread t : threads) {
      try {
        t.join(TimeUnit.SECONDS.toMillis(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    try {
      acceptor.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    watchdog.shutdownNow();
    io.shutdown();
    if (socketFile != null) {
      Files.deleteIfExists(socketFile);
    }
    closed.countDown();
  }
}
