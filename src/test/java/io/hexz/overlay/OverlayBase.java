package io.hexz.overlay;

import io.hexz.Hexz;
import io.hexz.codec.CodecType;
import io.hexz.read.ReadOptions;
import io.hexz.read.Snapshot;
import io.hexz.testing.Snaps;
import io.hexz.testing.TestData;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The overlay tests' fixture: {@code base.hxz} of the given content (16 KiB blocks, LZ4, dedup)
 * in a test directory, opened, and the path {@code base.ovl} beside it. Closing closes the base.
 */
final class OverlayBase implements AutoCloseable {
  final Snapshot snapshot;
  final Path overlay;

  OverlayBase(Path dir, byte[] img) throws IOException {
    Path snap = dir.resolve("base.hxz");
    Snaps.write(snap, Snaps.options(16384, CodecType.LZ4, 0, true).build(), img);
    snapshot = Hexz.open(snap, ReadOptions.DEFAULTS);
    overlay = dir.resolve("base.ovl");
  }

  /** Opens (or creates) the overlay over the base, writable. */
  OverlayFile open() throws IOException {
    return (OverlayFile) Overlay.open(overlay, snapshot.disk(), snapshot.header().identity());
  }

  /** A random write or discard (a quarter), at most {@code maxLength} bytes, applied to both the overlay and the model. */
  static void randomOp(Random rnd, Overlay o, byte[] model, int maxLength) throws IOException {
    int off = rnd.nextInt(model.length);
    int len = 1 + rnd.nextInt(Math.min(model.length - off, rnd.nextBoolean() ? 300 : maxLength));
    if (rnd.nextInt(4) == 0) {
      o.discard(off, len);
      Arrays.fill(model, off, off + len, (byte) 0);
    } else {
      byte[] w = TestData.mixed(len, 16384, rnd);
      o.write(ByteBuffer.wrap(w), off);
      System.arraycopy(w, 0, model, off, len);
    }
  }

  @Override
  public void close() throws IOException {
    snapshot.close();
  }
}
