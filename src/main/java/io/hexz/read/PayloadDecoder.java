package io.hexz.read;

import io.hexz.codec.Codec;
import io.hexz.codec.CodecException;
import io.hexz.crypto.SnapshotCipher;
import io.hexz.format.BlockKind;
import io.hexz.format.Checksums;
import io.hexz.format.CorruptSnapshotException;
import io.hexz.format.Header;
import io.hexz.format.IndexPage;
import io.hexz.format.StreamKind;
import io.hexz.format.XorPayload;
import io.hexz.store.ByteSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;
import javax.crypto.AEADBadTagException;

/**
 * Turns one leaf entry's stored payload into the block's checked content, for one stream of one
 * file: the stored length must fit the kind and the payload must lie inside the file; the payload's
 * CRC32C is checked before anything decodes it (a damaged payload never reaches the decompressor,
 * and damage that would decode to the same bytes is still reported); then it is opened (AES-GCM,
 * for its offset) if the file is encrypted, decompressed or un-XORed against the parent's bytes,
 * and the result's CRC32C (and, when hashes are checked, its SHA-256) must be the entry's. Any
 * failure is a {@link CorruptSnapshotException} naming the file, stream and block; wrong bytes
 * are never returned. Knows nothing of the cache's keys or of other blocks.
 *
 * <p>Memory: the block's buffer comes from the cache's pool; the stored bytes are read into a
 * per-thread scratch buffer (a RAW block in the clear straight into the block's buffer), so a
 * decode allocates nothing but what decryption returns. XOR payloads are rare and use their own
 * arrays.
 *
 * <p>Concurrency: thread-safe (immutable; the scratch buffer is per thread).
 */
final class PayloadDecoder {
  private static final System.Logger LOG = System.getLogger(PayloadDecoder.class.getName());
  /** Per-thread buffer for compressed payloads; a block's payload is at most blockSize + 24. */
  private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[0]);

  private final String name;
  private final StreamKind kind;
  private final ByteSource source;
  private final int tagSize;
  private final long fileLength;
  private final SnapshotCipher cipher; // null unless encrypted
  private final BlockCache pool;
  private final HashCheck hashCheck;
  private final BlockDevice base; // the parent's stream of this kind, or null

  /**
   * A decoder of stream {@code kind}'s payloads in {@code source}.
   *
   * @param tagSize bytes of authentication tag after each sealed payload (0 in the clear)
   * @param fileLength the file's length as its header records it (payloads must lie inside)
   * @param cipher the file's cipher, null unless it is encrypted
   * @param pool where block buffers come from and go back to
   * @param hashCheck whether (and why) each block's SHA-256 is checked against its entry's
   * @param base the parent's stream of the same kind, for XOR blocks; null without a parent
   */
  PayloadDecoder(ByteSource source, StreamKind kind, int tagSize, long fileLength, SnapshotCipher cipher,
      BlockCache pool, HashCheck hashCheck, BlockDevice base) {
    this.name = source.name();
    this.kind = kind;
    this.source = source;
    this.tagSize = tagSize;
    this.fileLength = fileLength;
    this.cipher = cipher;
    this.pool = pool;
    this.hashCheck = Objects.requireNonNull(hashCheck);
    this.base = base;
  }

  /**
   * The checked content of block {@code b}, of length {@code len}, described by entry {@code i}
   * of {@code leaf} with payload kind {@code k}; one reference, the caller's.
   */
  CachedBlock decode(IndexPage leaf, int i, long b, BlockKind k, int len) throws IOException {
    int sealed = leaf.storedLength(i);
    long off = leaf.offset(i);
    int stored = sealed - tagSize; // what the codec sees
    boolean okLength = k == BlockKind.RAW ? stored == len
        : k == BlockKind.XOR ? stored > XorPayload.HEADER_SIZE && stored <= len + XorPayload.HEADER_SIZE
        : stored > 0 && stored < len;
    if (!okLength) {
      throw corrupt(b, "has impossible stored length " + Integer.toUnsignedString(sealed));
    }
    try {
      Header.checkRange(name, kind + " block " + b, off, sealed, fileLength);
    } catch (CorruptSnapshotException e) {
      throw corrupt(b, "points outside the file (offset " + off + ")");
    }
    byte[] data = k == BlockKind.XOR ? null : pool.buffer(len);
    byte[] payload = k == BlockKind.XOR ? SnapshotOpener.readAt(source, off, sealed)
        : SnapshotOpener.readInto(source, k == BlockKind.RAW && cipher == null ? data : scratch(sealed), off, sealed);
    int payloadCrc = Checksums.crc32c(payload, 0, sealed);
    if (payloadCrc != leaf.payloadCrc(i)) {
      throw corrupt(b, String.format("payload checksum mismatch (stored %08x, computed %08x)",
          leaf.payloadCrc(i), payloadCrc));
    }
    if (cipher != null) {
      // In place in the scratch buffer; XOR payloads need their exact plaintext length; RAW
      // opens straight into the block's buffer.
      byte[] into = k == BlockKind.XOR ? null : k == BlockKind.RAW ? data : payload;
      payload = open(b, off, payload, sealed, into);
    }
    if (k == BlockKind.XOR) {
      data = unXor(payload, b, len);
    } else if (k != BlockKind.RAW) {
      try {
        Codec.shared(k.codec()).decompress(payload, 0, stored, data, 0, len);
      } catch (CodecException e) {
        throw corrupt(b, "cannot be decompressed (" + e.getMessage() + ")");
      }
    }
    int actual = Checksums.crc32c(data, 0, len);
    if (actual != leaf.contentCrc(i)) {
      throw corrupt(b, String.format("checksum mismatch (stored %08x, computed %08x)", leaf.contentCrc(i), actual));
    }
    byte[] sha256 = null;
    if (hashCheck != HashCheck.OFF) {
      sha256 = Checksums.sha256().digest(data);
      if (!leaf.hashEquals(i, sha256)) {
        throw corrupt(b, "does not match its " + hashCheck.word() + " SHA-256");
      }
    }
    return new CachedBlock(data, actual, sha256, pool);
  }

  private static byte[] scratch(int length) {
    byte[] b = SCRATCH.get();
    if (b.length < length) {
      b = new byte[length];
      SCRATCH.set(b);
    }
    return b;
  }

  /**
   * Opens the first {@code length} bytes of a sealed payload: into a new array of its plaintext
   * length when {@code into} is null, else into {@code into} from its start (may be
   * {@code sealed} itself: the codec then reads the first {@code length - 16} bytes).
   */
  private byte[] open(long b, long off, byte[] sealed, int length, byte[] into) throws CorruptSnapshotException {
    try {
      if (into == null) {
        return cipher.open(SnapshotCipher.Domain.PAYLOAD, off, sealed, 0, length);
      }
      cipher.open(SnapshotCipher.Domain.PAYLOAD, off, sealed, 0, length, into, 0);
      return into;
    } catch (AEADBadTagException e) {
      throw corrupt(b, "fails authentication (changed, moved, or from another snapshot; payload at offset "
          + off + ")");
    }
  }

  /** Decodes an XOR payload: inner decode, unshuffle, XOR with the parent's bytes. */
  private byte[] unXor(byte[] payload, long b, int len) throws IOException {
    XorPayload x = XorPayload.decode(payload, len);
    if (x == null) {
      throw corrupt(b, "has a malformed XOR header");
    }
    int innerLen = payload.length - XorPayload.HEADER_SIZE;
    byte[] shuffled = new byte[len];
    if (x.inner() == BlockKind.RAW) {
      if (innerLen != len) {
        throw corrupt(b, "has a raw XOR payload of the wrong length");
      }
      System.arraycopy(payload, XorPayload.HEADER_SIZE, shuffled, 0, len);
    } else {
      try {
        Codec.shared(x.inner().codec()).decompress(payload, XorPayload.HEADER_SIZE, innerLen, shuffled, 0, len);
      } catch (CodecException e) {
        throw corrupt(b, "cannot be decompressed (" + e.getMessage() + ")");
      }
    }
    byte[] data = new byte[len];
    XorPayload.unshuffle(shuffled, data, x.xorLength(), x.elementSize());
    System.arraycopy(shuffled, x.xorLength(), data, x.xorLength(), len - x.xorLength());
    if (x.baseLength() > 0) {
      if (base == null || x.baseOffset() > base.size() - x.baseLength()) {
        throw corrupt(b, "XORs with parent bytes that do not exist");
      }
      byte[] bytes = new byte[x.baseLength()];
      ByteBuffer bb = ByteBuffer.wrap(bytes);
      while (bb.hasRemaining()) {
        base.read(bb, x.baseOffset() + bb.position());
      }
      for (int j = 0; j < bytes.length; j++) {
        data[j] ^= bytes[j];
      }
    }
    return data;
  }

  /** The error for block {@code b} of this stream, logged: a damaged block is worth a warning. */
  CorruptSnapshotException corrupt(long b, String what) {
    LOG.log(System.Logger.Level.WARNING, "{0}: {1} block {2} {3}", name, kind, b, what);
    return new CorruptSnapshotException(name, kind + " block " + b + " " + what);
  }
}
