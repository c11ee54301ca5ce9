package io.hexz.read;

import io.hexz.format.CorruptSnapshotException;
import io.hexz.format.Format;
import io.hexz.format.IndexPage;
import io.hexz.format.StreamKind;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The SHA-256 of each leaf page of one snapshot file, pinned the first time the page is read. A
 * signature's root (or an encrypted child's recomputed parent identity) is checked over the leaf
 * pages seen at open; pinning makes every later read of a page, after the cache evicted it, return
 * exactly the page that was checked, so a file changed under a mount cannot swap in other entries.
 *
 * <p>Memory: 32 bytes and a map entry per leaf page (one per 4096 blocks by default).
 *
 * <p>Concurrency: thread-safe; the first of two racing reads of a page pins it and the other is
 * compared with it.
 */
final class LeafPins {
  private final String file;
  /** SHA-256 of each leaf page's raw bytes, keyed by stream id and leaf number. */
  private final Map<Long, byte[]> pins = new ConcurrentHashMap<>();

  LeafPins(String file) {
    this.file = file;
  }

  /** Pins {@code leaf} of stream {@code kind} if it is the first read of it, else checks it is the pinned page. */
  void check(StreamKind kind, IndexPage leaf) throws CorruptSnapshotException {
    byte[] h = leaf.sha256();
    long first = leaf.firstBlock();
    byte[] was = pins.putIfAbsent(((long) kind.id() << 56) | (first / Format.LEAF_FANOUT), h);
    if (was != null && !Arrays.equals(was, h)) {
      throw new CorruptSnapshotException(file, kind + " index page for block " + first
          + " changed since it was checked at open");
    }
  }
}
