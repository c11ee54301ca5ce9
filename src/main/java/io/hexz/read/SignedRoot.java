package io.hexz.read;

import io.hexz.crypto.Signatures;
import io.hexz.format.BadSignatureException;
import io.hexz.format.Checksums;
import io.hexz.format.Format;
import io.hexz.format.SignatureInfo;
import io.hexz.format.StreamKind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.util.Arrays;

/**
 * The root hash a snapshot signature covers, and its check at open. Stateless.
 *
 * <pre>
 * root       := SHA-256("hexz-root-1" || signedHeader[4092] || SHA-256(metadata plaintext) || Stream*)
 * Stream     := kindId:u8 size:u64 blockCount:u64 Leaf[blockCount]      -- streams in slot order
 * Leaf       := kind:u8 length:u32 sha256[32]
 * </pre>
 * {@code signedHeader} is the header with the SIGNED bit and the signature block zeroed (see
 * {@link SignatureInfo#signedBytes}); it holds every stream root, the identity and, in a thin
 * snapshot, the parent's identity. A PARENT leaf contributes the SHA-256 the parent chain holds for
 * that block, so the root covers the whole logical content. Computing it walks every leaf page:
 * one sequential pass over the index, no block is read.
 */
final class SignedRoot {
  private static final byte[] PREFIX = "hexz-root-1".getBytes(StandardCharsets.US_ASCII);

  private SignedRoot() {}

  static byte[] compute(SnapshotFile f) throws IOException {
    MessageDigest d = Checksums.sha256();
    d.update(PREFIX);
    d.update(SignatureInfo.signedBytes(f.rawHeader()));
    d.update(f.metadataHash());
    ByteBuffer e = ByteBuffer.allocate(1 + 4 + Format.HASH_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer s = ByteBuffer.allocate(17).order(ByteOrder.LITTLE_ENDIAN);
    IndexWalk.walk(f, new IndexWalk.Visitor() {
      @Override
      public void stream(StreamKind kind, long size, long blocks) {
        s.clear();
        s.put((byte) kind.id()).putLong(size).putLong(blocks);
        d.update(s.array());
      }

      @Override
      public void block(int kindId, int length, byte[] sha256) {
        e.clear();
        e.put((byte) kindId).putInt(length).put(sha256);
        d.update(e.array());
      }
    });
    return d.digest();
  }

  /** Throws unless {@code f} is signed by {@code key} and its index matches what was signed. */
  static void check(SnapshotFile f, PublicKey key) throws IOException {
    SignatureInfo sig = f.header().signature();
    String name = f.name();
    if (sig == null) {
      throw new BadSignatureException(name, "is not signed (a public key was given: only signed snapshots open)");
    }
    byte[] want = Signatures.fingerprint(key);
    if (!Arrays.equals(want, sig.fingerprint())) {
      throw new BadSignatureException(name, "is signed by another key (" + Checksums.hex(sig.fingerprint())
          .substring(0, 16) + "…, not " + Checksums.hex(want).substring(0, 16) + "…)");
    }
    if (!Signatures.verify(key, compute(f), sig.signature())) {
      throw new BadSignatureException(name, "signature does not match the content (changed after signing)");
    }
  }

  /** The root of an open snapshot, for signing it. */
  static byte[] of(Snapshot s) throws IOException {
    return compute((SnapshotFile) s);
  }
}
