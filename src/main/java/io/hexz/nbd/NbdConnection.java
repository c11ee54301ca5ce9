package io.hexz.nbd;

import io.hexz.read.BlockDevice;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLException;

/**
 * One client of an {@link NbdServer}, from accept to close, on the connection's own thread: the
 * fixed newstyle handshake ({@link Handshake}), then the transmission phase ({@link Transmission},
 * with its replies sent by a {@link ReplySender}), then the end. A client that breaks the protocol
 * loses its own connection and nothing else; whatever ends a connection is logged here. A clean
 * end (NBD_CMD_DISC, NBD_OPT_ABORT) closes TLS with close_notify, since the client still reads;
 * any other end just closes the socket.
 *
 * <p>Concurrency: three kinds of thread serve a connection. Its own thread runs the handshake and
 * then reads every request, and serves writes, write-zeroes, trim and flush in order; reads and
 * block-status queries run on the server's shared I/O pool ({@link Transmission} says why); every
 * reply goes through the connection's reply thread, the only one that writes to the socket after
 * the handshake ({@link ReplySender}). When the connection ends its thread waits for its requests
 * in flight, so nothing touches a device after the server has closed; on NBD_CMD_DISC it waits
 * before the final flush, so the flush covers every write replied to.
 */
final class NbdConnection implements Runnable {
  private static final System.Logger LOG = System.getLogger(NbdConnection.class.getName());

  private final SocketChannel ch;
  private final Map<String, NbdExport> exports;
  private final String peer;
  private final Runnable handshakeDone;
  private final Executor io;
  private final ReplyBuffers buffers;
  /** The server's credentials, or null: no TLS. */
  private final NbdTls tls;
  /** TLS once the handshake ran STARTTLS, else null; set on the connection's thread before the reply thread starts. */
  private TlsChannel secure;
  /** Set on NBD_CMD_DISC and NBD_OPT_ABORT: the client still reads, so TLS is closed with close_notify. */
  private volatile boolean cleanEnd;
  /** The transmission phase's sending side, or null until an export is chosen; set before the reply thread starts. */
  private ReplySender replies;

  /**
   * @param io runs reads and block-status queries (the server's pool, shared by its connections)
   * @param buffers the read replies' payload buffers (the server's, shared by its connections)
   * @param tls credentials when TLS is required, or null
   */
  NbdConnection(SocketChannel ch, Map<String, NbdExport> exports, String peer, Runnable handshakeDone, Executor io,
      ReplyBuffers buffers, NbdTls tls) {
    this.ch = ch;
    this.exports = exports;
    this.peer = peer;
    this.handshakeDone = handshakeDone;
    this.io = io;
    this.buffers = buffers;
    this.tls = tls;
  }

  @Override
  public void run() {
    try {
      Handshake.Negotiated n = new Handshake(ch, exports, tls, peer).negotiate();
      secure = n.tls();
      if (n.export() == null) {
        cleanEnd = true; // NBD_OPT_ABORT, acknowledged: the client still reads
        return;
      }
      handshakeDone.run();
      replies = new ReplySender(Thread.currentThread().getName() + "-reply", n.out(), buffers, peer,
          this::closeQuietly);
      replies.start();
      new Transmission(n, replies, io, buffers, peer).serve();
      cleanEnd = true; // NBD_CMD_DISC: the client still reads
      replies.drain(); // every reply is sent before the flush and the close
      BlockDevice dev = n.export().device();
      if (dev.isWritable()) {
        dev.flush();
      }
    } catch (EOFException e) {
      LOG.log(System.Logger.Level.DEBUG, () -> peer + ": disconnected");
    } catch (ProtocolException e) {
      LOG.log(System.Logger.Level.WARNING, () -> peer + ": " + e.getMessage() + "; connection closed");
    } catch (SSLException e) {
      LOG.log(System.Logger.Level.WARNING, () -> peer + ": TLS: " + e.getMessage() + "; connection closed");
    } catch (IOException e) {
      LOG.log(System.Logger.Level.DEBUG, () -> peer + ": " + e);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, () -> peer + ": unexpected " + e, e);
    } finally {
      closeQuietly(); // after a clean NBD_CMD_DISC every reply has been sent already
      if (replies != null) {
        replies.close();
      }
    }
  }

  /**
   * Closes the connection: gracefully after a clean end, else just the socket. Runs on the
   * connection's thread at its end, and on the reply thread once a send failed (never gracefully).
   */
  private void closeQuietly() {
    TlsChannel t = secure;
    ReplySender r = replies;
    if (t != null && cleanEnd && (r == null || !r.failed())) {
      t.closeGracefully(); // close_notify, then the socket
      return;
    }
    try {
      ch.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
