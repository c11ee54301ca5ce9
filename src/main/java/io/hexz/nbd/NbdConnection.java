package io.hexz.nbd;

import io.hexz.read.BlockDevice;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import javax.net.ssl.SSLException;

/**
 * One client of an {@link NbdServer}: the fixed newstyle handshake, then the transmission phase,
 * on the connection's own thread. Everything a client sends is bounded before it is used: option
 * payloads by {@link Nbd#MAX_OPTION_LENGTH} (longer ones end the connection before anything is
 * allocated for them), strings by {@link Nbd#MAX_STRING}, read and write payloads by
 * {@link Nbd#MAX_PAYLOAD}; a request outside the export is refused with an error reply. A client
 * that sends garbage (a wrong magic) loses its own connection and nothing else.
 *
 * <p>TLS: with credentials the server runs the protocol's FORCEDTLS mode. Before TLS every option
 * but NBD_OPT_STARTTLS and NBD_OPT_ABORT is answered NBD_REP_ERR_TLS_REQD, and
 * NBD_OPT_EXPORT_NAME (which has no error reply) ends the connection. NBD_OPT_STARTTLS is
 * acknowledged, the TLS handshake runs over the same socket ({@link TlsChannel}), and everything
 * after it, the rest of the options and the transmission phase, goes through TLS; a second
 * STARTTLS gets NBD_REP_ERR_INVALID. Without credentials STARTTLS gets NBD_REP_ERR_UNSUP. The
 * server's handshake timeout covers the TLS handshake, and a failed one ends only its connection.
 *
 * <p>Concurrency: three kinds of thread serve a connection. Its own thread reads every request.
 * Reads and block-status queries run on the server's shared I/O pool, within the connection's
 * request slots and window ({@link ReplySender}), because clients such as QEMU keep many reads in
 * flight on one connection, and served one at a time each would wait for the previous reply's
 * round trip and one block's decode. Writes, write-zeroes, trim and flush run on the connection's
 * thread in the order they arrive, so a flush covers every write replied to before it, as the
 * protocol requires. Every reply goes through the connection's reply thread ({@link ReplySender}),
 * the only one that writes to the socket after the handshake. When the connection ends its thread
 * waits for its requests in flight, so nothing touches a device after the server has closed. The
 * devices are thread-safe.
 */
final class NbdConnection implements Runnable {
  private static final System.Logger LOG = System.getLogger(NbdConnection.class.getName());
  /** Descriptors in one block-status reply (4 KiB of them); the client asks again for the rest. */
  private static final int MAX_DESCRIPTORS = 512;

  private final SocketChannel ch;
  private final Map<String, NbdExport> exports;
  private final String peer;
  private final Runnable handshakeDone;
  private final Executor io;
  private final ReplyBuffers buffers;
  /** The server's credentials, or null: no TLS. */
  private final NbdTls tls;
  /** TLS once STARTTLS was acknowledged, else null; set on the connection's thread before the reply thread starts. */
  private TlsChannel secure;
  /** Set on NBD_CMD_DISC and NBD_OPT_ABORT: the client still reads, so TLS is closed with close_notify. */
  private volatile boolean cleanEnd;
  /** The transmission phase's sending side, or null until an export is chosen; set before the reply thread starts. */
  private ReplySender replies;
  private Buffered buffered;
  private DataInputStream in;
  private boolean noZeroes;
  private boolean structured;
  private boolean allocationContext;
  private NbdExport export;
  private byte[] buf = new byte[0];

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

  /** The connection's input buffer; what it holds past the STARTTLS option starts the TLS handshake. */
  private static final class Buffered extends BufferedInputStream {
    Buffered(InputStream in) {
      super(in, 64 * 1024);
    }

    /** Takes the bytes read from the socket but not yet consumed. */
    synchronized ByteBuffer takeBuffered() {
      ByteBuffer b = ByteBuffer.wrap(java.util.Arrays.copyOfRange(buf, pos, count));
      pos = count;
      return b;
    }
  }

  private void input(InputStream raw) {
    buffered = new Buffered(raw);
    in = new DataInputStream(buffered);
  }

  @Override
  public void run() {
    try {
      input(Channels.newInputStream(ch));
      if (handshake()) {
        handshakeDone.run();
        replies = new ReplySender(Thread.currentThread().getName() + "-reply", this::send, buffers, peer,
            this::closeQuietly);
        replies.start();
        transmission();
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

  /** A client that breaks the protocol: its connection ends. */
  static final class ProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    ProtocolException(String message) {
      super(message);
    }
  }

  // ---------------------------------------------------------------- handshake

  /** Negotiates options; true once an export is chosen (transmission follows), false on abort. */
  private boolean handshake() throws IOException {
    send(Replies.greeting());
    int clientFlags = in.readInt();
    if ((clientFlags & ~Nbd.CLIENT_FLAGS_KNOWN) != 0 || (clientFlags & Nbd.FLAG_FIXED_NEWSTYLE) == 0) {
      throw new ProtocolException("client flags 0x" + Integer.toHexString(clientFlags)
          + " (fixed newstyle is required, no other flags are known)");
    }
    noZeroes = (clientFlags & Nbd.FLAG_NO_ZEROES) != 0;
    while (true) {
      long magic = in.readLong();
      if (magic != Nbd.IHAVEOPT) {
        throw new ProtocolException("option without IHAVEOPT magic (0x" + Long.toHexString(magic) + ")");
      }
      int opt = in.readInt();
      int len = in.readInt();
      if (len < 0 || len > Nbd.MAX_OPTION_LENGTH) {
        throw new ProtocolException("option " + opt + " of " + Integer.toUnsignedString(len)
            + " bytes (at most " + Nbd.MAX_OPTION_LENGTH + ")");
      }
      byte[] data = new byte[len];
      in.readFully(data);
      ByteBuffer d = ByteBuffer.wrap(data);
      if (tls != null && secure == null && opt != Nbd.OPT_STARTTLS && opt != Nbd.OPT_ABORT) {
        if (opt == Nbd.OPT_EXPORT_NAME) { // it has no error reply
          throw new ProtocolException("NBD_OPT_EXPORT_NAME before TLS, which this server requires");
        }
        reply(opt, Nbd.REP_ERR_TLS_REQD);
        continue;
      }
      switch (opt) {
        case Nbd.OPT_EXPORT_NAME -> {
          NbdExport e = exports.get(string(data, 0, len));
          if (e == null) {
            throw new ProtocolException("NBD_OPT_EXPORT_NAME for an unknown export"); // no error reply exists
          }
          export = e;
          send(Replies.exportName(e.device().size(), transmissionFlags(e), noZeroes));
          return true;
        }
        case Nbd.OPT_ABORT -> {
          cleanEnd = true;
          reply(opt, Nbd.REP_ACK);
          return false;
        }
        case Nbd.OPT_STARTTLS -> {
          if (tls == null) {
            reply(opt, Nbd.REP_ERR_UNSUP); // NBD is clear text here (README, Security)
          } else if (secure != null || len != 0) {
            reply(opt, Nbd.REP_ERR_INVALID); // TLS already runs, or a malformed request
          } else {
            reply(opt, Nbd.REP_ACK);
            startTls();
          }
        }
        case Nbd.OPT_LIST -> {
          if (len != 0) {
            reply(opt, Nbd.REP_ERR_INVALID);
            continue;
          }
          for (NbdExport e : exports.values()) {
            reply(opt, Nbd.REP_SERVER, Replies.server(e.name(), e.description()));
          }
          reply(opt, Nbd.REP_ACK);
        }
        case Nbd.OPT_INFO, Nbd.OPT_GO -> {
          if (infoOrGo(opt, d) && opt == Nbd.OPT_GO) {
            return true;
          }
        }
        case Nbd.OPT_STRUCTURED_REPLY -> {
          if (len != 0) {
            reply(opt, Nbd.REP_ERR_INVALID);
          } else {
            structured = true;
            reply(opt, Nbd.REP_ACK);
          }
        }
        case Nbd.OPT_LIST_META_CONTEXT, Nbd.OPT_SET_META_CONTEXT -> metaContext(opt, d);
        default -> reply(opt, Nbd.REP_ERR_UNSUP);
      }
    }
  }

  /**
   * After NBD_REP_ACK to STARTTLS: the TLS handshake over the same socket, starting with whatever
   * the client already sent past its option; every later byte in either direction is TLS.
   */
  private void startTls() throws IOException {
    secure = new TlsChannel(ch, tls.newEngine(), buffered.takeBuffered());
    secure.handshake();
    input(Channels.newInputStream(secure));
    LOG.log(System.Logger.Level.DEBUG, () -> peer + ": TLS " + secure.describe());
  }

  /** NBD_OPT_INFO / NBD_OPT_GO; true if the export was found and acknowledged. */
  private boolean infoOrGo(int opt, ByteBuffer d) throws IOException {
    if (d.remaining() < 4) {
      reply(opt, Nbd.REP_ERR_INVALID);
      return false;
    }
    int nameLen = d.getInt();
    if (nameLen < 0 || nameLen > Nbd.MAX_STRING || nameLen + 2 > d.remaining()) {
      reply(opt, Nbd.REP_ERR_INVALID);
      return false;
    }
    String name = string(d.array(), d.position(), nameLen);
    d.position(d.position() + nameLen);
    int requests = d.getShort() & 0xFFFF;
    if (d.remaining() != requests * 2) {
      reply(opt, Nbd.REP_ERR_INVALID);
      return false;
    }
    NbdExport e = name == null ? null : exports.get(name);
    if (e == null) {
      reply(opt, Nbd.REP_ERR_UNKNOWN);
      return false;
    }
    boolean wantName = false;
    boolean wantDescription = false;
    for (int i = 0; i < requests; i++) {
      int t = d.getShort() & 0xFFFF;
      wantName |= t == Nbd.INFO_NAME;
      wantDescription |= t == Nbd.INFO_DESCRIPTION;
    }
    reply(opt, Nbd.REP_INFO, Replies.infoExport(e.device().size(), transmissionFlags(e)));
    reply(opt, Nbd.REP_INFO, Replies.infoBlockSize(1, Nbd.PREFERRED_BLOCK, Nbd.MAX_PAYLOAD));
    if (wantName) {
      reply(opt, Nbd.REP_INFO, Replies.infoString(Nbd.INFO_NAME, e.name()));
    }
    if (wantDescription && !e.description().isEmpty()) {
      reply(opt, Nbd.REP_INFO, Replies.infoString(Nbd.INFO_DESCRIPTION, e.description()));
    }
    reply(opt, Nbd.REP_ACK);
    if (opt == Nbd.OPT_GO) {
      export = e;
    }
    return true;
  }

  /** NBD_OPT_LIST_META_CONTEXT / NBD_OPT_SET_META_CONTEXT: only base:allocation exists. */
  private void metaContext(int opt, ByteBuffer d) throws IOException {
    if (opt == Nbd.OPT_SET_META_CONTEXT && !structured) {
      reply(opt, Nbd.REP_ERR_INVALID); // contexts are reported in structured replies only
      return;
    }
    if (d.remaining() < 8) {
      reply(opt, Nbd.REP_ERR_INVALID);
      return;
    }
    int nameLen = d.getInt();
    if (nameLen < 0 || nameLen > Nbd.MAX_STRING || nameLen + 4 > d.remaining()) {
      reply(opt, Nbd.REP_ERR_INVALID);
      return;
    }
    String name = string(d.array(), d.position(), nameLen);
    d.position(d.position() + nameLen);
    int queries = d.getInt();
    List<String> q = new ArrayList<>();
    for (int i = 0; i < queries; i++) {
      if (d.remaining() < 4) {
        reply(opt, Nbd.REP_ERR_INVALID);
        return;
      }
      int l = d.getInt();
      if (l < 0 || l > Nbd.MAX_STRING || l > d.remaining()) {
        reply(opt, Nbd.REP_ERR_INVALID);
        return;
      }
      q.add(string(d.array(), d.position(), l));
      d.position(d.position() + l);
    }
    if (d.hasRemaining() || q.contains(null)) {
      reply(opt, Nbd.REP_ERR_INVALID);
      return;
    }
    if (name == null || !exports.containsKey(name)) {
      reply(opt, Nbd.REP_ERR_UNKNOWN);
      return;
    }
    boolean match = opt == Nbd.OPT_LIST_META_CONTEXT && q.isEmpty();
    for (String s : q) {
      match |= s.equals(Nbd.BASE_ALLOCATION) || s.equals("base:");
    }
    if (opt == Nbd.OPT_SET_META_CONTEXT) {
      allocationContext = match;
    }
    if (match) {
      reply(opt, Nbd.REP_META_CONTEXT,
          Replies.metaContext(opt == Nbd.OPT_SET_META_CONTEXT ? Nbd.BASE_ALLOCATION_ID : 0, Nbd.BASE_ALLOCATION));
    }
    reply(opt, Nbd.REP_ACK);
  }

  private static int transmissionFlags(NbdExport e) {
    int f = Nbd.TF_HAS_FLAGS | Nbd.TF_SEND_FLUSH | Nbd.TF_SEND_DF
        // Every connection serves the same device object, whose flush makes every completed write
        // of every connection durable: the condition the protocol sets for multi-conn.
        | Nbd.TF_CAN_MULTI_CONN;
    if (e.device().isWritable()) {
      f |= Nbd.TF_SEND_FUA | Nbd.TF_SEND_TRIM | Nbd.TF_SEND_WRITE_ZEROES;
    } else {
      f |= Nbd.TF_READ_ONLY;
    }
    return f;
  }

  private void reply(int opt, int type, byte[] data) throws IOException {
    send(Replies.option(opt, type, data));
  }

  private void reply(int opt, int type) throws IOException {
    send(Replies.option(opt, type));
  }

  /** A protocol string: UTF-8 without NUL; null if it is not one. */
  private static String string(byte[] b, int off, int len) {
    try {
      String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b, off, len)).toString();
      return s.indexOf('\0') >= 0 ? null : s;
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  // ---------------------------------------------------------------- transmission

  private void transmission() throws IOException {
    BlockDevice dev = export.device();
    while (true) {
      int magic = in.readInt();
      if (magic != Nbd.REQUEST_MAGIC) {
        throw new ProtocolException("request without request magic (0x" + Integer.toHexString(magic) + ")");
      }
      int flags = in.readShort() & 0xFFFF;
      int type = in.readShort() & 0xFFFF;
      long cookie = in.readLong();
      long offset = in.readLong();
      long length = in.readInt() & 0xFFFFFFFFL;
      if (type == Nbd.CMD_DISC) {
        cleanEnd = true;
        replies.drain(); // every reply is sent before the flush and the close
        if (dev.isWritable()) {
          dev.flush();
        }
        return;
      }
      boolean validRead = type == Nbd.CMD_READ && length <= Nbd.MAX_PAYLOAD && !outside(dev, offset, length);
      int bytes = validRead ? (int) Math.min(length, ReplySender.WINDOW_BYTES) : 0;
      replies.acquire(bytes); // each request below queues exactly one reply, which frees the slot
      boolean answered = false;
      try {
        answer(dev, type, flags, cookie, offset, length, validRead, bytes);
        answered = true;
      } finally {
        if (!answered) { // it threw before queueing its reply (the connection ends)
          replies.release(bytes);
        }
      }
    }
  }

  /** Serves one request other than NBD_CMD_DISC; queues its one reply or throws before queueing. */
  private void answer(BlockDevice dev, int type, int flags, long cookie, long offset, long length, boolean validRead,
      int bytes) throws IOException {
    switch (type) {
      case Nbd.CMD_READ -> {
        if (validRead) {
          dispatch(bytes, cookie, () -> read(dev, cookie, offset, (int) length, bytes));
        } else {
          error(cookie, length > Nbd.MAX_PAYLOAD ? Nbd.EOVERFLOW : Nbd.EINVAL);
        }
      }
      case Nbd.CMD_WRITE -> write(dev, flags, cookie, offset, length);
      case Nbd.CMD_FLUSH -> {
        int err = 0;
        if (dev.isWritable()) {
          err = guarded(dev::flush);
        }
        simple(cookie, err);
      }
      case Nbd.CMD_TRIM -> {
        int refused = !dev.isWritable() ? Nbd.EPERM : outside(dev, offset, length) ? Nbd.EINVAL : 0;
        int err = refused != 0 ? refused : guarded(() -> dev.discard(offset, length));
        simple(cookie, err != 0 ? err : fuaFlush(dev, flags, 0));
      }
      case Nbd.CMD_WRITE_ZEROES -> writeZeroes(dev, flags, cookie, offset, length);
      case Nbd.CMD_BLOCK_STATUS -> dispatch(0, cookie, () -> blockStatus(dev, flags, cookie, offset, length));
      default -> simple(cookie, Nbd.EINVAL);
    }
  }

  /** Why a write or write-zeroes cannot run: EPERM on a read-only export, ENOSPC past its end; else 0. */
  private static int writeRefused(BlockDevice dev, long offset, long length) {
    return !dev.isWritable() ? Nbd.EPERM : outside(dev, offset, length) ? Nbd.ENOSPC : 0;
  }

  private static boolean outside(BlockDevice dev, long offset, long length) {
    return offset < 0 || offset > dev.size() || length > dev.size() - offset;
  }

  /**
   * Runs {@code task}, which queues the request's one reply, on the I/O pool; its slot and
   * {@code bytes} are already taken. A task that fails unexpectedly answers EIO.
   */
  private void dispatch(int bytes, long cookie, Io task) throws IOException {
    Runnable r = () -> {
      try {
        task.run();
      } catch (IOException | RuntimeException e) {
        LOG.log(System.Logger.Level.ERROR, () -> peer + ": unexpected " + e, e);
        error(cookie, Nbd.EIO, bytes);
      }
    };
    try {
      io.execute(r);
    } catch (RejectedExecutionException e) {
      throw new IOException("server is closing"); // the caller frees the slot
    }
  }

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

  /** One read, on an I/O thread; its reply carries the request's {@code bytes} of the window. */
  private void read(BlockDevice dev, long cookie, long offset, int n, int bytes) {
    ByteBuffer dst = buffers.take(n);
    int err = guarded(() -> {
      while (dst.hasRemaining()) {
        if (dev.read(dst, offset + dst.position()) < 0) {
          throw new EOFException("device ended early");
        }
      }
    });
    if (err != 0) {
      buffers.give(dst);
      error(cookie, err, bytes);
      return;
    }
    dst.flip();
    replies.queueRead(Replies.readHeader(structured, cookie, offset, n), dst, bytes);
  }

  private void write(BlockDevice dev, int flags, long cookie, long offset, long length) throws IOException {
    if (length > Nbd.MAX_PAYLOAD) {
      // The payload cannot be skipped safely without reading it all: the connection ends.
      throw new ProtocolException("write of " + length + " bytes (at most " + Nbd.MAX_PAYLOAD + ")");
    }
    int n = (int) length;
    byte[] b = buffer(n);
    in.readFully(b, 0, n);
    int refused = writeRefused(dev, offset, length);
    if (refused != 0) {
      simple(cookie, refused);
      return;
    }
    int err = guarded(() -> dev.write(ByteBuffer.wrap(b, 0, n), offset));
    simple(cookie, err != 0 ? err : fuaFlush(dev, flags, 0));
  }

  private void writeZeroes(BlockDevice dev, int flags, long cookie, long offset, long length) throws IOException {
    int refused = writeRefused(dev, offset, length);
    if (refused != 0) {
      simple(cookie, refused);
      return;
    }
    if ((flags & Nbd.CMD_FLAG_FAST_ZERO) != 0) {
      simple(cookie, Nbd.ENOTSUP); // not promised fast: a device without discard writes zeros
      return;
    }
    // Zeros are a discard: an overlay records them without storing pages (NBD_CMD_FLAG_NO_HOLE
    // asks that the range stay allocated, which an overlay cannot promise either way).
    int err = guarded(() -> dev.discard(offset, length));
    simple(cookie, err != 0 ? err : fuaFlush(dev, flags, 0));
  }

  private void blockStatus(BlockDevice dev, int flags, long cookie, long offset, long length) throws IOException {
    if (!structured || !allocationContext || length == 0 || outside(dev, offset, length)) {
      error(cookie, Nbd.EINVAL);
      return;
    }
    List<BlockDevice.Extent> extents = new ArrayList<>();
    int err = guarded(() -> {
      long pos = offset;
      long end = offset + length;
      while (pos < end && extents.size() < MAX_DESCRIPTORS) {
        // at most 4 GiB - 4 KiB each: a descriptor's length is 32 bits and stays block-aligned
        BlockDevice.Extent x = dev.extentAt(pos, Math.min(end - pos, 0xFFFF_F000L));
        if (x.length() <= 0) {
          throw new IOException("device reported an empty extent at " + pos);
        }
        extents.add(x);
        pos += x.length();
        if ((flags & Nbd.CMD_FLAG_REQ_ONE) != 0) {
          break;
        }
      }
    });
    if (err != 0) {
      error(cookie, err);
      return;
    }
    replies.queue(0, Replies.blockStatus(cookie, Nbd.BASE_ALLOCATION_ID, extents));
  }

  /** With FUA, a completed write is made durable before it is acknowledged. */
  private static int fuaFlush(BlockDevice dev, int flags, int err) {
    if (err != 0 || (flags & Nbd.CMD_FLAG_FUA) == 0) {
      return err;
    }
    return guarded(dev::flush);
  }

  private interface Io {
    void run() throws IOException;
  }

  /** Runs a device operation; an I/O error becomes EIO for the client (and a log line), never a disconnect. */
  private static int guarded(Io op) {
    try {
      op.run();
      return 0;
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, e.getMessage());
      return e.getMessage() != null && e.getMessage().contains("No space left") ? Nbd.ENOSPC : Nbd.EIO;
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "unexpected " + e, e);
      return Nbd.EIO;
    }
  }

  private byte[] buffer(int n) {
    if (buf.length < n) {
      buf = new byte[Math.max(n, Math.min(Nbd.MAX_PAYLOAD, buf.length * 2))];
    }
    return buf;
  }

  private void simple(long cookie, int error) {
    replies.queue(0, Replies.simple(cookie, error));
  }

  /** An error reply to a command that may carry data (structured when negotiated). */
  private void error(long cookie, int error) {
    error(cookie, error, 0);
  }

  private void error(long cookie, int error, int windowBytes) {
    replies.queue(windowBytes, Replies.error(structured, cookie, error));
  }

  /** Writes to the socket: during the handshake from the connection's thread, then from the reply thread only. */
  private void send(ByteBuffer... parts) throws IOException {
    if (secure != null) {
      secure.write(parts);
      return;
    }
    long left = 0;
    for (ByteBuffer p : parts) {
      left += p.remaining();
    }
    while (left > 0) {
      left -= ch.write(parts);
    }
  }
}
