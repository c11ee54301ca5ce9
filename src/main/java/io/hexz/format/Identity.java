package io.hexz.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Computes a snapshot identity: a SHA-256 that names exactly the snapshot's logical content,
 * independent of codec, block placement or dedup, so a thin child can check that the parent it
 * found is the one it was made against.
 *
 * <pre>
 * identity   := SHA-256("hexz-identity-1" || blockSize:u32 || Stream*)   (streams in slot order)
 * Stream     := kindId:u8 || size:u64 || streamHash[32]
 * streamHash := SHA-256(blockSha256[0] || ... || blockSha256[blockCount-1])
 * </pre>
 * Integers little-endian. Not thread-safe.
 */
public final class Identity {
  private Identity() {}

  /** Accumulates one stream's block hashes in order. Not thread-safe. */
  public static final class StreamHasher {
    private final MessageDigest digest = Checksums.sha256();

    public void block(byte[] sha256, int off) {
      digest.update(sha256, off, Format.HASH_SIZE);
    }

    public byte[] finish() {
      return digest.digest();
    }
  }

  /** One stream's contribution to the identity. */
  public record StreamPart(StreamKind kind, long size, byte[] streamHash) {}

  /** The identity of a snapshot with these streams (any order; sorted by slot here). */
  public static byte[] compute(int blockSize, Iterable<StreamPart> parts) {
    StreamPart[] bySlot = new StreamPart[StreamKind.values().length];
    for (StreamPart p : parts) {
      bySlot[p.kind().slot()] = p;
    }
    MessageDigest d = Checksums.sha256();
    d.update("hexz-identity-1".getBytes(StandardCharsets.US_ASCII));
    ByteBuffer b = ByteBuffer.allocate(9).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(blockSize);
    d.update(b.array(), 0, 4);
    for (StreamPart p : bySlot) {
      if (p == null) {
        continue;
      }
      b.clear();
      b.put((byte) p.kind().id()).putLong(p.size());
      d.update(b.array(), 0, 9);
      d.update(p.streamHash());
    }
    return d.digest();
  }
}
