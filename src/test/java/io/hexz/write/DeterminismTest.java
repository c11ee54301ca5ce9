package io.hexz.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hexz.codec.CodecType;
import io.hexz.format.StreamKind;
import io.hexz.testing.Seeds;
import io.hexz.testing.Snaps;
import io.hexz.testing.TestData;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The writer's output is a function of its input and options only: thread count and the way the
 * input arrives (one array, pieces of random size, a stream, a file) do not change a byte.
 */
class DeterminismTest {
  private static final long SEED = Seeds.random(DeterminismTest.class);

  @ParameterizedTest(name = "bs={0} {1} level={2} dedup={3}")
  @CsvSource({"4096, LZ4, 9, true", "65536, ZSTD, 3, true", "16384, LZ4, 0, false", "4096, NONE, 0, true"})
  void sameInputGivesTheSameBytesWithOneOrFourThreads(int bs, CodecType codec, int level, boolean dedup,
      @TempDir Path dir) throws Exception {
    long seed = Seeds.derive(SEED, bs, codec, level, dedup);
    Random rnd = new Random(seed);
    String ctx = "bs=" + bs + " " + codec + " level=" + level + " dedup=" + dedup + " " + Seeds.describe(seed);
    // More than 1024 blocks with 4 KiB blocks: leaf and internal index pages are both written.
    byte[] disk = TestData.mixed(bs == 4096 ? (4 << 20) + 999 : (3 << 20) + 999, bs, rnd);
    byte[] memory = TestData.mixed(300_007, bs, rnd);
    Path one = dir.resolve("one.hxz");
    Path four = dir.resolve("four.hxz");
    Path two = dir.resolve("two.hxz");
    Snaps.write(one, base(bs, codec, level, dedup).threads(1).build(), disk, memory, true);
    Snaps.write(four, base(bs, codec, level, dedup).threads(4).build(), disk, memory, true);
    Snaps.write(two, base(bs, codec, level, dedup).threads(2).build(), disk, memory, true);
    assertEquals(-1L, Files.mismatch(one, four), "threads=1 vs threads=4 differ: " + ctx);
    assertEquals(-1L, Files.mismatch(one, two), "threads=1 vs threads=2 differ: " + ctx);
    assertTrue(Files.size(one) > 4096, ctx);

    // The comparison is not vacuous: a different creation time changes the file.
    Path later = dir.resolve("later.hxz");
    Snaps.write(later, base(bs, codec, level, dedup).threads(4).created(Snaps.CREATED.plusSeconds(1)).build(), disk,
        memory, true);
    assertNotEquals(-1L, Files.mismatch(one, later), ctx);
  }

  @Test
  void theWayInputArrivesDoesNotMatter(@TempDir Path dir) throws Exception {
    long seed = Seeds.derive(SEED, "pieces");
    Random rnd = new Random(seed);
    int bs = 8192;
    byte[] data = TestData.mixed(2_000_003, bs, rnd);
    WriteOptions opts = base(bs, CodecType.ZSTD, 3, true).threads(3).build();

    Path whole = dir.resolve("whole.hxz");
    Snaps.write(whole, opts, data);

    Path pieces = dir.resolve("pieces.hxz");
    try (SnapshotWriter w = Writers.create(pieces, opts)) {
      try (SnapshotWriter.StreamSink sink = w.beginStream(StreamKind.DISK)) {
        int pos = 0;
        while (pos < data.length) {
          int n = Math.min(data.length - pos, rnd.nextInt(3) == 0 ? rnd.nextInt(10) : rnd.nextInt(3 * bs));
          ByteBuffer b = rnd.nextBoolean() ? ByteBuffer.wrap(data, pos, n)
              : ByteBuffer.allocateDirect(n).put(data, pos, n).flip();
          sink.write(b);
          assertEquals(0, b.remaining(), "write must consume all of src");
          pos += n;
        }
      }
      w.finish();
    }

    Path stream = dir.resolve("stream.hxz");
    try (SnapshotWriter w = Writers.create(stream, opts)) {
      w.addStream(StreamKind.DISK, new TricklingInputStream(data, rnd));
      w.finish();
    }

    Path fromFile = dir.resolve("file.hxz");
    Path src = dir.resolve("src.img");
    Files.write(src, data);
    try (SnapshotWriter w = Writers.create(fromFile, opts)) {
      w.addFile(StreamKind.DISK, src);
      w.finish();
    }
    String ctx = Seeds.describe(seed);
    assertEquals(-1L, Files.mismatch(whole, pieces), "pieces: " + ctx);
    assertEquals(-1L, Files.mismatch(whole, stream), "input stream: " + ctx);
    assertEquals(-1L, Files.mismatch(whole, fromFile), "file: " + ctx);
  }

  private static WriteOptions.Builder base(int bs, CodecType codec, int level, boolean dedup) {
    return WriteOptions.builder().blockSize(bs).codec(codec).level(level).dedup(dedup).created(Snaps.CREATED)
        .source("determinism").meta("k", "v");
  }

  /** Hands out its bytes a few at a time, as a pipe or socket would. */
  static final class TricklingInputStream extends ByteArrayInputStream {
    private final Random rnd;

    TricklingInputStream(byte[] data, Random rnd) {
      super(data);
      this.rnd = rnd;
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) {
      return super.read(b, off, Math.min(len, 1 + rnd.nextInt(5000)));
    }
  }

  @Test
  void fixedCreationTimeIsWhatTheMetadataSays(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("t.hxz");
    Instant t = Instant.parse("2001-02-03T04:05:06Z");
    Snaps.write(f, base(4096, CodecType.LZ4, 0, true).created(t).build(), new byte[5000]);
    assertEquals(t, io.hexz.Hexz.inspect(f).metadata().created());
  }
}
