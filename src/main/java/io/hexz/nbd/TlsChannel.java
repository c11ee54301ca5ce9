package io.hexz.nbd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;

/**
 * TLS over a connected, blocking {@link SocketChannel} (TCP or Unix) through an
 * {@link SSLEngine}: what an NBD connection reads and writes once NBD_OPT_STARTTLS was
 * acknowledged. {@link #handshake} runs the TLS handshake; then {@link #read} returns decrypted
 * bytes and {@link #write} encrypts and sends whole buffers. Every buffer is bounded by the
 * session's record sizes (at most {@link #OUT_BYTES} of records are gathered per socket write).
 * After the handshake a record of type handshake (a TLS 1.2 renegotiation) is refused: the
 * connection ends.
 *
 * <p>Concurrency: one thread reads (the connection's); writes may come from another (the reply
 * thread) and are serialized by {@link #writeLock}, which the reader also takes to answer a
 * post-handshake message (a TLS 1.3 key update). The engine serializes its own wrap and unwrap.
 * Closing the socket channel (the server's timeout or its close) ends a blocked read or write.
 */
final class TlsChannel implements ReadableByteChannel {
  /** Encrypted bytes gathered before one socket write (a few records). */
  static final int OUT_BYTES = 256 * 1024;
  private static final ByteBuffer[] NOTHING = {ByteBuffer.allocate(0)};
  private static final byte HANDSHAKE_RECORD = 22;

  private final SocketChannel ch;
  private final SSLEngine engine;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final int packet;
  /** Received, not yet unwrapped; write mode. Reader only. */
  private ByteBuffer netIn;
  /** Unwrapped, not yet returned by {@link #read}; read mode. Reader only. */
  private ByteBuffer appIn;
  /** Wrapped, being sent. @GuardedBy("writeLock") */
  private final ByteBuffer netOut;
  private boolean handshaken;
  private boolean inboundDone;

  /**
   * @param received bytes already read from the socket after the STARTTLS option (the start of
   *     the client's handshake); consumed here
   */
  TlsChannel(SocketChannel ch, SSLEngine engine, ByteBuffer received) {
    this.ch = ch;
    this.engine = engine;
    this.packet = engine.getSession().getPacketBufferSize();
    this.netIn = ByteBuffer.allocate(Math.max(4 * packet, received.remaining())).put(received);
    this.appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize()).flip();
    this.netOut = ByteBuffer.allocate(Math.max(OUT_BYTES, packet));
  }

  /** Runs the TLS handshake to its end; an {@link SSLException} if it fails or the client leaves. */
  void handshake() throws IOException {
    engine.beginHandshake();
    while (true) {
      switch (engine.getHandshakeStatus()) {
        case NEED_TASK -> runTasks();
        case NEED_WRAP -> send(NOTHING);
        case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
          if (!unwrap()) {
            throw new SSLException("the client closed the connection during the TLS handshake"
                + " (did it refuse the server's certificate?)");
          }
        }
        default -> { // FINISHED, NOT_HANDSHAKING
          handshaken = true;
          return;
        }
      }
    }
  }

  /** The negotiated protocol and cipher suite, for a log line. */
  String describe() {
    return engine.getSession().getProtocol() + " " + engine.getSession().getCipherSuite();
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    while (!appIn.hasRemaining()) {
      if (inboundDone || !unwrap()) {
        return -1;
      }
    }
    int n = Math.min(dst.remaining(), appIn.remaining());
    ByteBuffer slice = appIn.slice().limit(n);
    dst.put(slice);
    appIn.position(appIn.position() + n);
    return n;
  }

  /**
   * Unwraps one record into {@link #appIn}, reading from the socket until a whole one is there;
   * false at the end of the stream (the socket's, or the client's close_notify).
   */
  private boolean unwrap() throws IOException {
    while (true) {
      netIn.flip();
      if (handshaken && netIn.hasRemaining() && netIn.get(0) == HANDSHAKE_RECORD) {
        throw new SSLException("TLS renegotiation is not supported");
      }
      appIn.compact();
      SSLEngineResult r;
      try {
        r = engine.unwrap(netIn, appIn);
      } finally {
        netIn.compact();
        appIn.flip();
      }
      switch (r.getStatus()) {
        case OK -> {
          afterHandshakeStep(r);
          return true;
        }
        case BUFFER_UNDERFLOW -> {
          if (netIn.remaining() < packet) { // a record larger than the room left
            netIn = ByteBuffer.allocate(netIn.position() + packet).put(netIn.flip());
          }
          if (ch.read(netIn) < 0) {
            return false;
          }
        }
        case BUFFER_OVERFLOW -> appIn = ByteBuffer.allocate(appIn.remaining()
            + engine.getSession().getApplicationBufferSize()).put(appIn).flip();
        case CLOSED -> {
          inboundDone = true;
          afterHandshakeStep(r); // the engine answers a close_notify with its own
          return false;
        }
        default -> throw new SSLException("unexpected TLS engine status " + r.getStatus());
      }
    }
  }

  /** After the handshake, what a received message asks for: delegated tasks, a reply (key update). */
  private void afterHandshakeStep(SSLEngineResult r) throws IOException {
    if (!handshaken) {
      return; // handshake() drives the engine until then
    }
    SSLEngineResult.HandshakeStatus hs = r.getHandshakeStatus();
    while ((hs == SSLEngineResult.HandshakeStatus.NEED_TASK || hs == SSLEngineResult.HandshakeStatus.NEED_WRAP)
        && !engine.isOutboundDone()) {
      if (hs == SSLEngineResult.HandshakeStatus.NEED_TASK) {
        runTasks();
      } else {
        send(NOTHING);
      }
      hs = engine.getHandshakeStatus();
    }
  }

  private void runTasks() {
    Runnable t;
    while ((t = engine.getDelegatedTask()) != null) {
      t.run();
    }
  }

  /** Encrypts and sends every byte of {@code srcs} (or, with nothing to send, what the engine must send). */
  void write(ByteBuffer... srcs) throws IOException {
    send(srcs);
  }

  /**
   * Wraps {@code srcs} into records, gathering up to {@link #netOut}'s size before each socket
   * write; with {@code srcs} empty, sends what the engine has to send (handshake, key update,
   * close_notify).
   */
  private void send(ByteBuffer[] srcs) throws IOException {
    writeLock.lock();
    try {
      do {
        netOut.clear();
        while (netOut.remaining() >= packet) {
          SSLEngineResult r = engine.wrap(srcs, netOut);
          if (r.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK) {
            runTasks();
          }
          if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
            if (r.bytesProduced() == 0 && hasRemaining(srcs)) {
              throw new SSLException("the TLS session is closed");
            }
            break;
          }
          if (r.getStatus() != SSLEngineResult.Status.OK) {
            break; // no room for another record: send what is gathered
          }
          if (!hasRemaining(srcs) && engine.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.NEED_WRAP) {
            break;
          }
          if (r.bytesConsumed() == 0 && r.bytesProduced() == 0) {
            throw new SSLException("the TLS engine wraps nothing (handshake status "
                + engine.getHandshakeStatus() + ")");
          }
        }
        netOut.flip();
        while (netOut.hasRemaining()) {
          ch.write(netOut);
        }
      } while (hasRemaining(srcs));
    } finally {
      writeLock.unlock();
    }
  }

  private static boolean hasRemaining(ByteBuffer[] bufs) {
    for (ByteBuffer b : bufs) {
      if (b.hasRemaining()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Sends close_notify if the writer is free (never waits for the reply thread), then closes the
   * socket. For the clean ends (NBD_CMD_DISC, NBD_OPT_ABORT), where the client still reads.
   */
  void closeGracefully() {
    if (writeLock.tryLock()) {
      try {
        engine.closeOutbound();
        send(NOTHING);
      } catch (IOException | RuntimeException ignored) {
        // closing anyway
      } finally {
        writeLock.unlock();
      }
    }
    close();
  }

  @Override
  public boolean isOpen() {
    return ch.isOpen();
  }

  @Override
  public void close() {
    try {
      ch.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
