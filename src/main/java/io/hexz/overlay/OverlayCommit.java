package io.hexz.overlay;

import io.hexz.format.PrefetchPlan;
import io.hexz.format.StreamKind;
import io.hexz.read.BlockDevice;
import io.hexz.read.ReadOptions;
import io.hexz.read.Snapshot;
import io.hexz.read.Snapshots;
import io.hexz.write.BootPlans;
import io.hexz.write.SnapshotWriter;
import io.hexz.write.WriteOptions;
import io.hexz.write.WriteStats;
import io.hexz.write.Writers;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Merges an overlay into a new snapshot: full (base + overlay, self-contained) or thin (only the
 * blocks the overlay touched, the rest referenced from the base). Streams the data with a
 * fixed-size buffer, so memory does not depend on the image size. Stateless.
 */
public final class OverlayCommit {
  private OverlayCommit() {}

  /**
   * Writes {@code out} from {@code base} + {@code overlayFile}.
   *
   * @param options block size, codec... for a full commit; a thin commit always uses the base's
   *     block size and sets the base as parent
   */
  public static WriteStats commit(Path base, Path overlayFile, Path out, boolean thin, WriteOptions.Builder options,
      ReadOptions readOptions) throws IOException {
    try (Snapshot s = Snapshots.open(base, readOptions);
        Overlay ov = Overlay.openReadOnly(overlayFile, s.disk(), s.header().identity())) {
      int bs = s.header().blockSize();
      if (thin) {
        options.blockSize(bs).parent(base).parentReadOptions(readOptions);
      }
      // No more readable than the image it holds: the base and what was written over it.
      WriteOptions o = options.maxPermissionsOf(base, overlayFile).build();
      Snapshot sealed = Snapshots.encryptedLayer(s).orElse(null);
      if (sealed != null && o.password() == null) {
        // The result would hold the base's content (and the overlay's) in clear; a clear base
        // over an encrypted parent is no different (its unchanged blocks are the parent's).
        throw new IllegalArgumentException(base + ": " + (sealed == s ? "is encrypted" : "has the encrypted parent "
            + sealed.name()) + "; committing its overlay into an unencrypted snapshot is refused (encrypt the output)");
      }
      try (SnapshotWriter w = Writers.create(out, o)) {
        w.putMetadata("committed-overlay", overlayFile.getFileName().toString());
        // The base's plan (or a new trace's) goes with the commit; a full commit lays it out first.
        PrefetchPlan plan = BootPlans.planFor(o, w, s);
        try (SnapshotWriter.StreamSink sink = w.beginStream(StreamKind.DISK)) {
          if (thin) {
            writeThin(sink, ov, bs, s.disk().size());
          } else {
            BootPlans.placeFirst(plan, StreamKind.DISK, ov, o.blockSize(), sink);
            copy(ov, sink);
          }
        }
        if (s.memory().isPresent()) {
          try (SnapshotWriter.StreamSink sink = w.beginStream(StreamKind.MEMORY)) {
            BlockDevice m = s.memory().get();
            if (thin) {
              sink.copyParentBlocks((m.size() + bs - 1) / bs);
            } else {
              BootPlans.placeFirst(plan, StreamKind.MEMORY, m, o.blockSize(), sink);
              copy(m, sink);
            }
          }
        }
        w.finish();
        return Writers.stats(w);
      }
    }
  }

  /**
   * Blocks with no overlay page are referenced; touched blocks are read through the overlay. A
   * resized disk references only the blocks it shares whole with the base ({@code baseSize}): a
   * block past the base's end, or one whose length differs from the base's (the base's short last
   * block, or the new short last one), is written, read through the overlay.
   */
  private static void writeThin(SnapshotWriter.StreamSink sink, Overlay ov, int bs, long baseSize) throws IOException {
    long size = ov.size();
    long blocks = (size + bs - 1) / bs;
    long shared = Math.min(blocks, (baseSize + bs - 1) / bs); // blocks [0, shared) may be referenced
    if (shared > 0 && Math.min(bs, size - (shared - 1) * bs) != Math.min(bs, baseSize - (shared - 1) * bs)) {
      shared--;
    }
    ByteBuffer buf = ByteBuffer.allocate(bs);
    long next = 0; // first block not yet written
    for (long page : ov.pages()) {
      long b = page * Overlay.PAGE_SIZE / bs;
      if (b >= shared) {
        break;
      }
      if (b < next) {
        continue; // another page of a block already written
      }
      sink.copyParentBlocks(b - next);
      writeBlock(sink, ov, b, bs, buf);
      next = b + 1;
    }
    if (next < shared) {
      sink.copyParentBlocks(shared - next);
      next = shared;
    }
    for (long b = next; b < blocks; b++) {
      writeBlock(sink, ov, b, bs, buf);
    }
  }

  private static void writeBlock(SnapshotWriter.StreamSink sink, Overlay ov, long b, int bs, ByteBuffer buf)
      throws IOException {
    long start = b * bs;
    int len = (int) Math.min(bs, ov.size() - start);
    buf.clear().limit(len);
    while (buf.hasRemaining()) {
      if (ov.read(buf, start + buf.position()) < 0) {
        throw new IOException(ov.path() + ": overlay ended early at " + (start + buf.position()));
      }
    }
    buf.flip();
    sink.write(buf);
  }

  /** Copies a whole device into a stream. */
  public static void copy(BlockDevice d, SnapshotWriter.StreamSink sink) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(1 << 20);
    long pos = 0;
    while (pos < d.size()) {
      buf.clear();
      int n = d.read(buf, pos);
      if (n < 0) {
        break;
      }
      buf.flip();
      sink.write(buf);
      pos += n;
    }
  }
}
