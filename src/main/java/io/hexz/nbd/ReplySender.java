package io.hexz.nbd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The sending side of one connection's transmission phase: the request slots and window bytes
 * that bound what the connection has in flight, the queue of finished replies, and the reply
 * thread ("hexz-nbd-N-reply") that writes them to the socket.
 *
 * <p>Concurrency: replies are queued by the connection's thread (writes, flush, trim, refusals)
 * and by the server's I/O pool (reads, block status); the reply thread alone takes them and
 * writes them, the only writer of the socket after the handshake. So a pool thread never blocks
 * on a client that does not read its replies: such a client stalls only its own connection. A
 * request takes a slot, and a read its payload's bytes of the window, before it is served
 * ({@link #acquire}), and holds them until its reply is sent, which bounds the queued replies
 * too: at most {@link #MAX_IN_FLIGHT} of them and {@link #WINDOW_BYTES} of read payload wait here
 * per connection (a larger read takes the whole window and waits until it can run alone). Replies
 * go out in the order they finish, which the protocol allows since each carries its cookie. Once
 * a send fails, later replies are dropped and only their slots freed, so no request waits on a
 * dead socket.
 */
final class ReplySender {
  private static final System.Logger LOG = System.getLogger(ReplySender.class.getName());
  /** Reads and block-status queries of one connection running at once. */
  static final int MAX_IN_FLIGHT = 16;
  /** Read payload of one connection in flight at once (a larger read runs alone). */
  static final int WINDOW_BYTES = 16 << 20;

  /** A reply, with the window bytes its request holds; {@code pooled}, if not null, goes back to {@link #buffers} once sent. */
  private record Reply(ByteBuffer[] parts, int windowBytes, ByteBuffer pooled) {}

  private static final Reply END = new Reply(new ByteBuffer[0], 0, null);

  private final ClientOutput out;
  private final ReplyBuffers buffers;
  private final String peer;
  private final Runnable onFailure;
  private final Semaphore slots = new Semaphore(MAX_IN_FLIGHT);
  private final Semaphore window = new Semaphore(WINDOW_BYTES);
  /** Replies waiting for the reply thread; {@link #END} stops it. */
  private final BlockingQueue<Reply> replies = new LinkedBlockingQueue<>();
  private final Thread thread;
  /** Set by the reply thread once the socket failed: later replies are dropped, their slots freed. */
  private volatile boolean failed;

  /**
   * @param threadName the reply thread's name
   * @param buffers where read payloads go back once sent (the server's pool)
   * @param onFailure run on the reply thread when a send fails (it closes the socket, which ends
   *     the connection's thread too)
   */
  ReplySender(String threadName, ClientOutput out, ReplyBuffers buffers, String peer, Runnable onFailure) {
    this.out = out;
    this.buffers = buffers;
    this.peer = peer;
    this.onFailure = onFailure;
    this.thread = new Thread(this::replyLoop, threadName);
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** True once a send failed: the client gets nothing more. */
  boolean failed() {
    return failed;
  }

  /** The reply thread: sends queued replies in turn; after a failed send only frees their slots. */
  private void replyLoop() {
    while (true) {
      Reply r;
      try {
        r = replies.take();
      } catch (InterruptedException e) {
        return;
      }
      if (r == END) {
        return;
      }
      try {
        if (!failed) {
          out.send(r.parts());
        }
      } catch (IOException e) {
        failed = true;
        LOG.log(System.Logger.Level.DEBUG, () -> peer + ": reply failed: " + e);
        onFailure.run();
      } finally {
        buffers.give(r.pooled());
        window.release(r.windowBytes());
        slots.release();
      }
    }
  }

  /** Takes a request slot and {@code bytes} of the window, waiting while the client has too many out. */
  void acquire(int bytes) throws IOException {
    try {
      slots.acquire();
      try {
        window.acquire(bytes);
      } catch (InterruptedException e) {
        slots.release();
        throw e;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    }
  }

  /** Gives back what {@link #acquire} took, for a request that ends the connection before queueing its reply. */
  void release(int bytes) {
    window.release(bytes);
    slots.release();
  }

  /** Hands a reply to the reply thread; the request's slot and window bytes go with it. */
  void queue(int windowBytes, ByteBuffer... parts) {
    replies.add(new Reply(parts, windowBytes, null));
  }

  /** Like {@link #queue}, for a read whose payload came from the server's {@link ReplyBuffers}. */
  void queueRead(ByteBuffer header, ByteBuffer payload, int windowBytes) {
    replies.add(new Reply(new ByteBuffer[] {header, payload}, windowBytes, payload));
  }

  /** Waits for this connection's requests in flight (bounded: a stuck device read is given up on). */
  void drain() {
    try {
      if (!slots.tryAcquire(MAX_IN_FLIGHT, 60, TimeUnit.SECONDS)) {
        LOG.log(System.Logger.Level.WARNING, () -> peer + ": requests still running after 60 s; closing anyway");
        return;
      }
      slots.release(MAX_IN_FLIGHT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Waits for the requests in flight, so nothing touches a device after the server has closed,
   * then stops the reply thread (waiting up to 10 s for it).
   */
  void close() {
    drain();
    replies.add(END);
    try {
      thread.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
