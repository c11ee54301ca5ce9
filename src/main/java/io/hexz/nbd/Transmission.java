package io.hexz.nbd;

import io.hexz.read.BlockDevice;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The transmission phase of one connection: reads each request on the connection's thread,
 * checks it, and serves it, so that each request other than NBD_CMD_DISC queues exactly one
 * reply on the connection's {@link ReplySender}.
 *
 * <p>Bounds: read and write payloads are bounded by {@link Nbd#MAX_PAYLOAD} before anything is
 * allocated: a larger read is refused (EOVERFLOW), a larger write ends the connection, since its
 * payload cannot be skipped safely without reading it all. A request outside the export is
 * refused with an error reply (EINVAL; ENOSPC for writes). A device error becomes EIO (ENOSPC
 * when the device is full) for that request and a log line, never a disconnect. A wrong request
 * magic is a {@link ProtocolException}: the connection ends.
 *
 * <p>Concurrency: reads and block-status queries run on the server's shared I/O pool, within the
 * connection's request slots and window ({@link ReplySender#acquire}, taken here before the
 * request is served), because clients such as QEMU keep many reads in flight on one connection,
 * and served one at a time each would wait for the previous reply's round trip and one block's
 * decode. Writes, write-zeroes, trim and flush run on the connection's thread in the order they
 * arrive, so a flush covers every write replied to before it, as the protocol requires. The
 * request state ({@link #buf}) belongs to the connection's thread; a pool task reads only its
 * request's arguments and the negotiated flags, which are final. The devices are thread-safe.
 */
final class Transmission {
  private static final System.Logger LOG = System.getLogger(Transmission.class.getName());
  /** Descriptors in one block-status reply (4 KiB of them); the client asks again for the rest. */
  private static final int MAX_DESCRIPTORS = 512;

  private final DataInputStream in;
  private final BlockDevice dev;
  private final boolean structured;
  private final boolean allocationContext;
  private final ReplySender replies;
  private final Executor io;
  private final ReplyBuffers buffers;
  private final String peer;
  /** The write payload buffer, grown as needed up to {@link Nbd#MAX_PAYLOAD}; the connection's thread only. */
  private byte[] buf = new byte[0];

  /**
   * @param io runs reads and block-status queries (the server's pool, shared by its connections)
   * @param buffers the read replies' payload buffers (the server's, shared by its connections)
   */
  Transmission(Handshake.Negotiated negotiated, ReplySender replies, Executor io, ReplyBuffers buffers, String peer) {
    this.in = negotiated.in();
    this.dev = negotiated.export().device();
    this.structured = negotiated.structured();
    this.allocationContext = negotiated.allocationContext();
    this.replies = replies;
    this.io = io;
    this.buffers = buffers;
    this.peer = peer;
  }

  /**
   * Serves requests until the client sends NBD_CMD_DISC, then returns (its requests may still be
   * in flight); a {@link ProtocolException} if it breaks the protocol, an {@link IOException}
   * once the socket fails or closes.
   */
  void serve() throws IOException {
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
        return;
      }
      boolean validRead = type == Nbd.CMD_READ && length <= Nbd.MAX_PAYLOAD && !outside(offset, length);
      int bytes = validRead ? (int) Math.min(length, ReplySender.WINDOW_BYTES) : 0;
      replies.acquire(bytes); // each request below queues exactly one reply, which frees the slot
      boolean answered = false;
      try {
        answer(type, flags, cookie, offset, length, validRead, bytes);
        answered = true;
      } finally {
        if (!answered) { // it threw before queueing its reply (the connection ends)
          replies.release(bytes);
        }
      }
    }
  }

  /** Serves one request other than NBD_CMD_DISC; queues its one reply or throws before queueing. */
  private void answer(int type, int flags, long cookie, long offset, long length, boolean validRead, int bytes)
      throws IOException {
    switch (type) {
      case Nbd.CMD_READ -> {
        if (validRead) {
          dispatch(bytes, cookie, () -> read(cookie, offset, (int) length, bytes));
        } else {
          error(cookie, length > Nbd.MAX_PAYLOAD ? Nbd.EOVERFLOW : Nbd.EINVAL);
        }
      }
      case Nbd.CMD_WRITE -> write(flags, cookie, offset, length);
      case Nbd.CMD_FLUSH -> {
        int err = 0;
        if (dev.isWritable()) {
          err = guarded(dev::flush);
        }
        simple(cookie, err);
      }
      case Nbd.CMD_TRIM -> {
        int refused = !dev.isWritable() ? Nbd.EPERM : outside(offset, length) ? Nbd.EINVAL : 0;
        int err = refused != 0 ? refused : guarded(() -> dev.discard(offset, length));
        simple(cookie, err != 0 ? err : fuaFlush(flags, 0));
      }
      case Nbd.CMD_WRITE_ZEROES -> writeZeroes(flags, cookie, offset, length);
      case Nbd.CMD_BLOCK_STATUS -> dispatch(0, cookie, () -> blockStatus(flags, cookie, offset, length));
      default -> simple(cookie, Nbd.EINVAL);
    }
  }

  /** Why a write or write-zeroes cannot run: EPERM on a read-only export, ENOSPC past its end; else 0. */
  private int writeRefused(long offset, long length) {
    return !dev.isWritable() ? Nbd.EPERM : outside(offset, length) ? Nbd.ENOSPC : 0;
  }

  private boolean outside(long offset, long length) {
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

  /** One read, on an I/O thread; its reply carries the request's {@code bytes} of the window. */
  private void read(long cookie, long offset, int n, int bytes) {
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

  private void write(int flags, long cookie, long offset, long length) throws IOException {
    if (length > Nbd.MAX_PAYLOAD) {
      // The payload cannot be skipped safely without reading it all: the connection ends.
      throw new ProtocolException("write of " + length + " bytes (at most " + Nbd.MAX_PAYLOAD + ")");
    }
    int n = (int) length;
    byte[] b = buffer(n);
    in.readFully(b, 0, n);
    int refused = writeRefused(offset, length);
    if (refused != 0) {
      simple(cookie, refused);
      return;
    }
    int err = guarded(() -> dev.write(ByteBuffer.wrap(b, 0, n), offset));
    simple(cookie, err != 0 ? err : fuaFlush(flags, 0));
  }

  private void writeZeroes(int flags, long cookie, long offset, long length) throws IOException {
    int refused = writeRefused(offset, length);
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
    simple(cookie, err != 0 ? err : fuaFlush(flags, 0));
  }

  private void blockStatus(int flags, long cookie, long offset, long length) throws IOException {
    if (!structured || !allocationContext || length == 0 || outside(offset, length)) {
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
  private int fuaFlush(int flags, int err) {
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
}
