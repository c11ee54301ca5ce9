package io.hexz.read;

import io.hexz.format.BlockKind;
import io.hexz.format.Format;
import io.hexz.format.Identity;
import io.hexz.format.IndexPage;
import io.hexz.format.StreamKind;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One pass over every leaf entry of a snapshot, streams in slot order, PARENT entries resolved
 * down the chain: what a signature's root and a recomputed identity are made of. Reading the
 * leaves pins them (see {@link LeafPins}) when the snapshot checks hashes, so what the walk
 * saw is what later reads use. No block is read. Stateless.
 */
final class IndexWalk {
  private IndexWalk() {}

  /** Receives the walk. */
  interface Visitor {
    void stream(StreamKind kind, long size, long blocks);

    /** One block: its entry's kind, its length and its content SHA-256 (from the parent for PARENT). */
    void block(int kindId, int length, byte[] sha256);
  }

  static void walk(SnapshotFile f, Visitor v) throws IOException {
    byte[] h = new byte[Format.HASH_SIZE];
    for (StreamKind k : StreamKind.values()) {
      StreamReader r = f.reader(k);
      if (r == null) {
        continue;
      }
      v.stream(k, r.size(), r.blocks());
      for (long first = 0; first < r.blocks(); first += Format.LEAF_FANOUT) {
        IndexPage leaf = r.leafFor(first);
        for (int i = 0; i < leaf.count(); i++) {
          long b = first + i;
          int kind = leaf.kindId(i);
          if (kind == BlockKind.PARENT.id()) {
            r.hashAndCrc(b, h);
          } else {
            leaf.hash(i, h, 0);
          }
          v.block(kind, r.blockLength(b), h);
        }
      }
    }
  }

  /**
   * The content identity of {@code f} recomputed from its index (FORMAT.md, Identity), not read
   * from its header: what an encrypted child checks a clear parent against.
   */
  static byte[] identity(SnapshotFile f) throws IOException {
    IdentityVisitor v = new IdentityVisitor();
    walk(f, v);
    return Identity.compute(f.header().blockSize(), v.finish());
  }

  /** Hashes each stream's block hashes in order. Not thread-safe. */
  private static final class IdentityVisitor implements Visitor {
    private final List<Identity.StreamPart> parts = new ArrayList<>();
    private StreamKind kind;
    private long size;
    private Identity.StreamHasher hasher;

    @Override
    public void stream(StreamKind k, long s, long blocks) {
      finish();
      kind = k;
      size = s;
      hasher = new Identity.StreamHasher();
    }

    @Override
    public void block(int kindId, int length, byte[] sha256) {
      hasher.block(sha256, 0);
    }

    List<Identity.StreamPart> finish() {
      if (hasher != null) {
        parts.add(new Identity.StreamPart(kind, size, hasher.finish()));
        hasher = null;
      }
      return parts;
    }
  }
}
