package io.hexz.nbd;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
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

/**
 * The fixed newstyle handshake of one connection: the greeting, then option negotiation until
 * the client chooses an export (NBD_OPT_GO or NBD_OPT_EXPORT_NAME) or aborts. Offers
 * NBD_OPT_LIST, NBD_OPT_INFO, NBD_OPT_STRUCTURED_REPLY, NBD_OPT_LIST_META_CONTEXT and
 * NBD_OPT_SET_META_CONTEXT (only {@link Nbd#BASE_ALLOCATION}) and NBD_OPT_STARTTLS; anything
 * else gets NBD_REP_ERR_UNSUP. What was settled comes back as a {@link Negotiated}. Runs on the
 * connection's thread alone, which is the only writer of the socket until it returns.
 *
 * <p>Bounds: everything a client sends is bounded before it is used: option payloads by
 * {@link Nbd#MAX_OPTION_LENGTH} (longer ones end the connection before anything is allocated for
 * them), strings by {@link Nbd#MAX_STRING}. A malformed option gets NBD_REP_ERR_INVALID; a client
 * that sends garbage (a wrong magic, unknown client flags) gets a {@link ProtocolException}, which
 * ends its own connection and nothing else.
 *
 * <p>TLS: with credentials the server runs the protocol's FORCEDTLS mode. Before TLS every option
 * but NBD_OPT_STARTTLS and NBD_OPT_ABORT is answered NBD_REP_ERR_TLS_REQD, and
 * NBD_OPT_EXPORT_NAME (which has no error reply) ends the connection. NBD_OPT_STARTTLS is
 * acknowledged, the TLS handshake runs over the same socket ({@link TlsChannel}), and everything
 * after it, the rest of the options and the transmission phase, goes through TLS; a second
 * STARTTLS gets NBD_REP_ERR_INVALID. Without credentials STARTTLS gets NBD_REP_ERR_UNSUP. The
 * server's handshake timeout covers the TLS handshake, and a failed one ends only its connection.
 */
final class Handshake {
  private static final System.Logger LOG = System.getLogger(Handshake.class.getName());

  /**
   * What the handshake settled.
   *
   * @param export the export chosen, or null: the client aborted (NBD_OPT_ABORT, acknowledged)
   * @param structured structured replies were negotiated
   * @param allocationContext {@link Nbd#BASE_ALLOCATION} was set (NBD_OPT_SET_META_CONTEXT)
   * @param tls the TLS channel once STARTTLS ran, else null
   * @param in what the client sends next, through TLS if it runs
   * @param out what goes to the client, through TLS if it runs
   */
  record Negotiated(NbdExport export, boolean structured, boolean allocationContext, TlsChannel tls,
      DataInputStream in, ClientOutput out) {}

  private final SocketChannel ch;
  private final Map<String, NbdExport> exports;
  private final String peer;
  /** The server's credentials, or null: no TLS. */
  private final NbdTls tls;
  /** TLS once STARTTLS was acknowledged, else null. */
  private TlsChannel secure;
  private ClientOutput out;
  private Buffered buffered;
  private DataInputStream in;
  private boolean noZeroes;
  private boolean structured;
  private boolean allocationContext;

  /** @param tls credentials when TLS is required, or null */
  Handshake(SocketChannel ch, Map<String, NbdExport> exports, NbdTls tls, String peer) {
    this.ch = ch;
    this.exports = exports;
    this.tls = tls;
    this.peer = peer;
    this.out = ClientOutput.plain(ch);
    input(Channels.newInputStream(ch));
  }

  /**
   * Runs the handshake on the calling thread (the connection's) until the client chooses an
   * export or aborts; a {@link ProtocolException} if it breaks the protocol.
   */
  Negotiated negotiate() throws IOException {
    out.send(Replies.greeting());
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
          out.send(Replies.exportName(e.device().size(), transmissionFlags(e), noZeroes));
          return negotiated(e);
        }
        case Nbd.OPT_ABORT -> {
          reply(opt, Nbd.REP_ACK);
          return negotiated(null);
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
          NbdExport e = infoOrGo(opt, d);
          if (e != null && opt == Nbd.OPT_GO) {
            return negotiated(e);
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
    out = secure::write;
    LOG.log(System.Logger.Level.DEBUG, () -> peer + ": TLS " + secure.describe());
  }

  /** NBD_OPT_INFO / NBD_OPT_GO; the export if it was found and acknowledged, else null. */
  private NbdExport infoOrGo(int opt, ByteBuffer d) throws IOException {
    if (d.remaining() < 4) {
      reply(opt, Nbd.REP_ERR_INVALID);
      return null;
    }
    int nameLen = d.getInt();
    if (nameLen < 0 || nameLen > Nbd.MAX_STRING || nameLen + 2 > d.remaining()) {
      reply(opt, Nbd.REP_ERR_INVALID);
      return null;
    }
    String name = string(d.array(), d.position(), nameLen);
    d.position(d.position() + nameLen);
    int requests = d.getShort() & 0xFFFF;
    if (d.remaining() != requests * 2) {
      reply(opt, Nbd.REP_ERR_INVALID);
      return null;
    }
    NbdExport e = name == null ? null : exports.get(name);
    if (e == null) {
      reply(opt, Nbd.REP_ERR_UNKNOWN);
      return null;
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
    return e;
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
    out.send(Replies.option(opt, type, data));
  }

  private void reply(int opt, int type) throws IOException {
    out.send(Replies.option(opt, type));
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

  private Negotiated negotiated(NbdExport export) {
    return new Negotiated(export, structured, allocationContext, secure, in, out);
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
}
