package io.hexz.nbd;

import io.hexz.read.BlockDevice;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The bytes of what the server sends (NetworkBlockDevice/nbd doc/proto.md): the greeting, option
 * replies and their payloads, simple and structured replies to requests. Pure functions: each
 * returns a new buffer ready to be written (position 0, limit its length) or a payload array;
 * nothing here reads a device or touches a socket. Big-endian throughout, as on the wire.
 */
final class Replies {
  private Replies() {}

  private static final byte[] NONE = new byte[0];

  // ---------------------------------------------------------------- handshake

  /** The server's greeting: NBDMAGIC, IHAVEOPT, the handshake flags (fixed newstyle, no zeroes). */
  static ByteBuffer greeting() {
    return ByteBuffer.allocate(18).putLong(Nbd.NBDMAGIC).putLong(Nbd.IHAVEOPT)
        .putShort((short) (Nbd.FLAG_FIXED_NEWSTYLE | Nbd.FLAG_NO_ZEROES)).flip();
  }

  /** The answer to NBD_OPT_EXPORT_NAME: size and transmission flags, then 124 zeros unless the client said no zeroes. */
  static ByteBuffer exportName(long size, int transmissionFlags, boolean noZeroes) {
    ByteBuffer r = ByteBuffer.allocate(10 + (noZeroes ? 0 : 124));
    r.putLong(size).putShort((short) transmissionFlags);
    return r.position(r.capacity()).flip();
  }

  /** One option reply: magic, the option, the reply type, the length of {@code data}, {@code data}. */
  static ByteBuffer option(int opt, int type, byte[] data) {
    return ByteBuffer.allocate(20 + data.length).putLong(Nbd.OPTION_REPLY_MAGIC).putInt(opt).putInt(type)
        .putInt(data.length).put(data).flip();
  }

  /** An option reply without data (NBD_REP_ACK, the errors). */
  static ByteBuffer option(int opt, int type) {
    return option(opt, type, NONE);
  }

  /** NBD_REP_SERVER's data: the export's name (length-prefixed) and its description. */
  static byte[] server(String name, String description) {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    byte[] desc = description.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(4 + n.length + desc.length).putInt(n.length).put(n).put(desc).array();
  }

  /** NBD_REP_INFO's data for NBD_INFO_EXPORT: size and transmission flags. */
  static byte[] infoExport(long size, int transmissionFlags) {
    return ByteBuffer.allocate(12).putShort((short) Nbd.INFO_EXPORT).putLong(size).putShort((short) transmissionFlags)
        .array();
  }

  /** NBD_REP_INFO's data for NBD_INFO_BLOCK_SIZE: minimum, preferred and maximum block size. */
  static byte[] infoBlockSize(int minimum, int preferred, int maximum) {
    return ByteBuffer.allocate(14).putShort((short) Nbd.INFO_BLOCK_SIZE).putInt(minimum).putInt(preferred)
        .putInt(maximum).array();
  }

  /** NBD_REP_INFO's data for a string: NBD_INFO_NAME or NBD_INFO_DESCRIPTION and the UTF-8 text. */
  static byte[] infoString(int infoType, String text) {
    byte[] n = text.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(2 + n.length).putShort((short) infoType).put(n).array();
  }

  /** NBD_REP_META_CONTEXT's data: the context's id (0 when only listed) and its name. */
  static byte[] metaContext(int id, String name) {
    byte[] n = name.getBytes(StandardCharsets.US_ASCII);
    return ByteBuffer.allocate(4 + n.length).putInt(id).put(n).array();
  }

  // ---------------------------------------------------------------- transmission

  /** A simple reply without payload: magic, the error (0: success), the cookie. */
  static ByteBuffer simple(long cookie, int error) {
    return ByteBuffer.allocate(16).putInt(Nbd.SIMPLE_REPLY_MAGIC).putInt(error).putLong(cookie).flip();
  }

  /**
   * An error reply to a command that may carry data: structured (NBD_REPLY_TYPE_ERROR, done, no
   * message) once structured replies were negotiated, else simple.
   */
  static ByteBuffer error(boolean structured, long cookie, int error) {
    if (!structured) {
      return simple(cookie, error);
    }
    return ByteBuffer.allocate(26).putInt(Nbd.STRUCTURED_REPLY_MAGIC).putShort((short) Nbd.REPLY_FLAG_DONE)
        .putShort((short) Nbd.REPLY_TYPE_ERROR).putLong(cookie).putInt(6).putInt(error).putShort((short) 0).flip();
  }

  /**
   * What precedes a successful read's {@code length} bytes of data: a structured
   * NBD_REPLY_TYPE_OFFSET_DATA chunk (done) carrying {@code offset}, or a simple reply.
   */
  static ByteBuffer readHeader(boolean structured, long cookie, long offset, int length) {
    if (!structured) {
      return simple(cookie, 0);
    }
    return ByteBuffer.allocate(28).putInt(Nbd.STRUCTURED_REPLY_MAGIC).putShort((short) Nbd.REPLY_FLAG_DONE)
        .putShort((short) Nbd.REPLY_TYPE_OFFSET_DATA).putLong(cookie).putInt(8 + length).putLong(offset).flip();
  }

  /**
   * A structured NBD_REPLY_TYPE_BLOCK_STATUS chunk (done) for metadata context {@code contextId}:
   * its header and its descriptors, one per extent (length, and hole|zero for a zero extent).
   * Each extent's length must fit in 32 unsigned bits.
   */
  static ByteBuffer[] blockStatus(long cookie, int contextId, List<BlockDevice.Extent> extents) {
    ByteBuffer descriptors = ByteBuffer.allocate(4 + 8 * extents.size()).putInt(contextId);
    for (BlockDevice.Extent x : extents) {
      descriptors.putInt((int) x.length()).putInt(x.zero() ? Nbd.STATE_HOLE | Nbd.STATE_ZERO : 0);
    }
    descriptors.flip();
    ByteBuffer h = ByteBuffer.allocate(20).putInt(Nbd.STRUCTURED_REPLY_MAGIC).putShort((short) Nbd.REPLY_FLAG_DONE)
        .putShort((short) Nbd.REPLY_TYPE_BLOCK_STATUS).putLong(cookie).putInt(descriptors.remaining());
    return new ByteBuffer[] {h.flip(), descriptors};
  }
}
