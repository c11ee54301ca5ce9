package io.hexz.write;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hexz.Hexz;
import io.hexz.codec.CodecType;
import io.hexz.format.StreamKind;
import io.hexz.read.ReadOptions;
import io.hexz.read.Snapshot;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** XOR deltas of float32 checkpoints: exact read-back, real size gain, misuse refused. */
class XorDeltaTest {
  @TempDir
  Path dir;

  private static byte[] floats(float[] a) {
    ByteBuffer b = ByteBuffer.allocate(a.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(a);
    return b.array();
  }

  private static byte[] readAll(Path p) throws Exception {
    try (Snapshot s = Hexz.open(p, ReadOptions.DEFAULTS)) {
      byte[] out = new byte[(int) s.size()];
      ByteBuffer bb = ByteBuffer.wrap(out);
      while (bb.hasRemaining()) {
        s.read(bb, bb.position());
      }
      return out;
    }
  }

  @Test
  void float32WeightsThatChangedSlightlyStoreSmallerAndReadBackExactly() throws Exception {
    long seed = 42;
    System.out.println("XorDeltaTest seed " + seed);
    Random r = new Random(seed);
    int n = 2_000_000 + 123; // not a block multiple
    float[] w1 = new float[n];
    for (int i = 0; i < n; i++) {
      w1[i] = (float) (r.nextGaussian() * 0.05);
    }
    float[] w2 = w1.clone();
    for (int i = 0; i < n; i++) {
      w2[i] += (float) (w1[i] * 1e-3 * r.nextGaussian()); // a fine-tuning step
    }
    byte[] b1 = floats(w1);
    byte[] b2 = floats(w2);
    WriteOptions.Builder base = WriteOptions.builder().blockSize(64 << 10).codec(CodecType.ZSTD).level(3);
    Path v1 = dir.resolve("v1.hxz");
    try (SnapshotWriter w = Hexz.create(v1, base.build())) {
      w.addBytes(StreamKind.DISK, b1);
      w.finish();
    }
    Path plain = dir.resolve("plain.hxz");
    try (SnapshotWriter w = Hexz.create(plain, base.parent(v1).build())) {
      w.addBytes(StreamKind.DISK, b2);
      w.finish();
    }
    Path xor = dir.resolve("xor.hxz");
    try (SnapshotWriter w = Hexz.create(xor, base.parent(v1).build())) {
      w.addXorDelta(StreamKind.DISK, b2, 0, b1.length, 4);
      w.finish();
    }
    Path fromBuffers = dir.resolve("xorb.hxz");
    try (SnapshotWriter w = Hexz.create(fromBuffers, base.parent(v1).build())) {
      w.addXorDeltaFromBuffers(StreamKind.DISK, b2, b1, 4);
      w.finish();
    }
    assertArrayEquals(b2, readAll(plain));
    assertArrayEquals(b2, readAll(xor));
    assertArrayEquals(b2, readAll(fromBuffers));
    io.hexz.read.VerifyReport vr = Hexz.verify(xor);
    assertTrue(vr.ok(), vr.problems()::toString);
    long sp = Files.size(plain);
    long sx = Files.size(xor);
    System.out.printf("float32 x %d, 1e-3 relative change: thin %d bytes, thin+XOR %d bytes (%.1f%% smaller)%n",
        n, sp, sx, 100.0 * (sp - sx) / sp);
    assertTrue(sx < sp * 0.9, "XOR delta (" + sx + ") should be well below plain thin (" + sp + ")");
    assertEquals(Files.size(xor), Files.size(fromBuffers));
  }

  @Test
  void misuseIsRefused() throws Exception {
    Path v1 = dir.resolve("a.hxz");
    try (SnapshotWriter w = Hexz.create(v1, WriteOptions.builder().build())) {
      w.addBytes(StreamKind.DISK, new byte[100_000]);
      w.finish();
    }
    try (SnapshotWriter w = Hexz.create(dir.resolve("b.hxz"), WriteOptions.builder().build())) {
      assertThrows(IllegalStateException.class, () -> w.addXorDelta(StreamKind.DISK, new byte[10], 0, 10, 4));
    }
    try (SnapshotWriter w = Hexz.create(dir.resolve("c.hxz"), WriteOptions.builder().parent(v1).build())) {
      SnapshotWriter.StreamSink s = w.beginStream(StreamKind.DISK);
      s.write(ByteBuffer.allocate(10));
      assertThrows(IllegalStateException.class, () -> s.writeXorDelta(new byte[10], 0, 10, 4));
      s.alignToBlock();
      assertThrows(IllegalArgumentException.class, () -> s.writeXorDelta(new byte[10], 99_995, 10, 4));
      assertThrows(IllegalArgumentException.class, () -> s.writeXorDelta(new byte[10], 0, 10, 3));
      assertThrows(IllegalArgumentException.class,
          () -> s.writeXorDeltaFromBuffers(new byte[10], new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 4));
    }
  }
}
