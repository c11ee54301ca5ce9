package io.hexz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.hexz.codec.CodecType;
import io.hexz.format.Format;
import io.hexz.format.StreamKind;
import io.hexz.read.AnalyzeReport;
import io.hexz.read.BlockDevice;
import io.hexz.read.ReadOptions;
import io.hexz.read.Snapshot;
import io.hexz.read.VerifyReport;
import io.hexz.testing.Seeds;
import io.hexz.testing.Snaps;
import io.hexz.testing.TestData;
import io.hexz.testing.TestData.BlockFacts;
import io.hexz.testing.TestData.Kind;
import io.hexz.write.SnapshotWriter;
import io.hexz.write.WriteOptions;
import io.hexz.write.WriteStats;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Write-then-read properties over block size x codec x dedup x content shape x sizes that are
 * not block multiples. Every snapshot is read back four ways (positional reads, a seekable
 * channel with seeks, an input stream, asynchronous reads), verified, analyzed against counts
 * derived from the content by the test itself, and its identity is recomputed from the grammar.
 */
class RoundTripTest {
  private static final long SEED = Seeds.random(RoundTripTest.class);

  /** The codec settings under test. */
  enum Codecs {
    LZ4_FAST(CodecType.LZ4, 0),
    LZ4_HC(CodecType.LZ4, 9),
    ZSTD(CodecType.ZSTD, 3),
    NONE(CodecType.NONE, 0);

    final CodecType type;
    final int level;

    Codecs(CodecType type, int level) {
      this.type = type;
      this.level = level;
    }
  }

  static Stream<Arguments> matrix() {
    List<Arguments> out = new ArrayList<>();
    for (int bs : new int[] {4 << 10, 64 << 10, 1 << 20}) {
      for (Codecs c : Codecs.values()) {
        for (boolean dedup : new boolean[] {true, false}) {
          for (Kind k : Kind.values()) {
            out.add(Arguments.of(bs, c, dedup, k));
          }
        }
      }
    }
    return out.stream();
  }

  /**
   * 0, 1, bs-1, bs+1 and one of a few MiB: 2 MiB + 17 (33 blocks of 64 KiB, 3 of 1 MiB), and with
   * 4 KiB blocks 4.5 MiB for the cheap shapes (sparse, repetitive), which is more than 1024 blocks
   * and so a two-level index, under every codec.
   */
  static int[] sizes(int bs, Kind kind) {
    boolean twoLevel = bs == 4096 && (kind == Kind.SPARSE || kind == Kind.REPETITIVE);
    int big = twoLevel ? (4 << 20) + (512 << 10) + 17 : (2 << 20) + 17;
    return new int[] {0, 1, bs - 1, bs + 1, big};
  }

  @ParameterizedTest(name = "bs={0} {1} dedup={2} {3}")
  @MethodSource("matrix")
  void writeThenReadBack(int bs, Codecs codec, boolean dedup, Kind kind, @TempDir Path dir) throws Exception {
    long seed = Seeds.derive(SEED, bs, codec, dedup, kind);
    Random rnd = new Random(seed);
    for (int size : sizes(bs, kind)) {
      byte[] data = kind.generate(size, bs, rnd);
      String ctx = "bs=" + bs + " " + codec + " dedup=" + dedup + " " + kind + " size=" + size + " "
          + Seeds.describe(seed);
      Path file = dir.resolve("s" + size + ".hxz");
      WriteOptions opts = Snaps.options(bs, codec.type, codec.level, dedup).source("src-" + size)
          .meta("case", kind.name()).build();
      WriteStats stats = Snaps.write(file, opts, data);

      assertEquals(Files.size(file), stats.fileBytes(), ctx);
      assertEquals(size, stats.logicalBytes(), ctx);
      byte[] identity = TestData.identity(bs, data);
      assertArrayEquals(identity, stats.identity(), "identity (recomputed from the grammar): " + ctx);

      try (Snapshot s = Hexz.open(file, ReadOptions.DEFAULTS)) {
        assertEquals(bs, s.header().blockSize(), ctx);
        assertEquals(codec.type, s.header().codec(), ctx);
        assertArrayEquals(identity, s.header().identity(), ctx);
        assertEquals("src-" + size, s.metadata().source(), ctx);
        assertEquals(Map.of("case", kind.name()), s.metadata().user(), ctx);
        assertEquals(Snaps.CREATED, s.metadata().created(), ctx);
        assertFalse(s.memory().isPresent(), ctx);
        readBackEveryWay(s, StreamKind.DISK, data, bs, rnd, ctx);
        CompletableFuture<Integer> none = s.readAsync(StreamKind.MEMORY, ByteBuffer.allocate(1), 0);
        CompletionException e = assertThrows(CompletionException.class, none::join, ctx);
        assertTrue(e.getCause() instanceof IllegalArgumentException, ctx + ": " + e.getCause());
      }

      VerifyReport v = Hexz.verify(file);
      assertTrue(v.ok(), ctx + ": " + v.problems());
      assertEquals((size + bs - 1) / bs, v.blocksChecked(), ctx);
      assertEquals(size, v.bytesChecked(), ctx);

      BlockFacts facts = TestData.facts(data, bs, dedup, new HashSet<>());
      AnalyzeReport.StreamStats st = Hexz.analyze(file).streams().get(0);
      assertFacts(facts, st, ctx);
      assertEquals(facts.zeroBlocks(), stats.zeroBlocks(), ctx);
      assertEquals(facts.dedupBlocks(), stats.dedupBlocks(), ctx);
      assertEquals(facts.storedBlocks(), stats.storedBlocks(), ctx);
      assertEquals(st.rawBlocks(), stats.rawBlocks(), ctx);
      assertTrue(st.payloadBytes() <= st.storedLogicalBytes(), "a payload is never larger than its block: " + ctx);
      if (kind == Kind.REPETITIVE && size >= 3 * bs) {
        // The content has duplicate blocks, so dedup must find some; without dedup none.
        assertTrue(TestData.facts(data, bs, true, new HashSet<>()).dedupBlocks() > 0, "generator: " + ctx);
        assertTrue(dedup ? st.dedupBlocks() > 0 : st.dedupBlocks() == 0, ctx + ": " + st);
      }
      if (codec == Codecs.NONE || kind == Kind.RANDOM) {
        assertEquals(st.storedBlocks(), st.rawBlocks(), "stored raw: " + ctx);
        assertEquals(st.storedLogicalBytes(), st.payloadBytes(), "stored raw: " + ctx);
      } else if (kind == Kind.TEXT && size > bs) {
        assertTrue(st.rawBlocks() < st.storedBlocks(), "text must compress: " + ctx + ": " + st);
        assertTrue(st.compressionRatio() > 1.5, "text must compress: " + ctx + ": " + st);
      }
    }
  }

  static void assertFacts(BlockFacts facts, AnalyzeReport.StreamStats st, String ctx) {
    assertEquals(facts.blocks(), st.blocks(), "blocks: " + ctx);
    assertEquals(facts.zeroBlocks(), st.zeroBlocks(), "zero blocks: " + ctx);
    assertEquals(facts.dedupBlocks(), st.dedupBlocks(), "dedup blocks: " + ctx);
    assertEquals(facts.storedBlocks(), st.storedBlocks(), "stored blocks: " + ctx);
    assertEquals(0, st.parentBlocks(), ctx);
  }

  /** Positional reads, a channel with seeks, an input stream and async reads all return {@code data}. */
  static void readBackEveryWay(Snapshot s, StreamKind kind, byte[] data, int bs, Random rnd, String ctx)
      throws Exception {
    String c = kind + " " + ctx;
    BlockDevice dev = s.stream(kind).orElseThrow();
    assertEquals(data.length, dev.size(), c);

    // positional reads of random sizes, in order
    byte[] got = new byte[data.length];
    int pos = 0;
    while (pos < data.length) {
      int len = Math.min(data.length - pos, 1 + rnd.nextInt(3 * bs));
      assertEquals(len, dev.read(got, pos, len, pos), c);
      pos += len;
    }
    assertArrayEquals(data, got, "positional reads: " + c + ", " + TestData.firstDifference(data, got));
    assertEquals(-1, dev.read(ByteBuffer.allocate(1), data.length), c);

    // a channel: one pass, then seeks
    try (SeekableByteChannel ch = s.channel(kind)) {
      assertEquals(data.length, ch.size(), c);
      ByteBuffer all = ByteBuffer.allocate(data.length);
      ByteBuffer piece = ByteBuffer.allocate(100_003);
      while (true) {
        piece.clear();
        int n = ch.read(piece);
        if (n < 0) {
          break;
        }
        piece.flip();
        all.put(piece);
      }
      assertEquals(data.length, ch.position(), c);
      assertArrayEquals(data, all.array(), "channel: " + c);
      for (int i = 0; i < 40 && data.length > 0; i++) {
        long p = (long) (rnd.nextDouble() * data.length);
        int len = 1 + rnd.nextInt(2 * bs);
        ByteBuffer b = ByteBuffer.allocate(len);
        assertEquals(p, ch.position(p).position(), c);
        int n = ch.read(b);
        int want = (int) Math.min(len, data.length - p);
        assertEquals(want, n, "channel read of " + len + " at " + p + ": " + c);
        assertEquals(p + want, ch.position(), c);
        assertTrue(Arrays.equals(data, (int) p, (int) p + want, b.array(), 0, want), "seek to " + p + ": " + c);
      }
      ch.position(data.length + 10L);
      assertEquals(-1, ch.read(ByteBuffer.allocate(4)), c);
      assertThrows(IllegalArgumentException.class, () -> ch.position(-1), c);
      assertThrows(NonWritableChannelException.class, () -> ch.write(ByteBuffer.allocate(1)), c);
    }

    // an input stream
    try (InputStream in = s.inputStream(kind)) {
      byte[] streamed = in.readAllBytes();
      assertArrayEquals(data, streamed, "input stream: " + c + ", " + TestData.firstDifference(data, streamed));
      assertEquals(-1, in.read(), c);
    }

    // asynchronous reads into direct buffers
    List<CompletableFuture<Integer>> futures = new ArrayList<>();
    List<long[]> where = new ArrayList<>();
    List<ByteBuffer> bufs = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      long p = data.length == 0 ? 0 : (long) (rnd.nextDouble() * data.length);
      int len = 1 + rnd.nextInt(2 * bs);
      ByteBuffer b = ByteBuffer.allocateDirect(len);
      bufs.add(b);
      where.add(new long[] {p, len});
      futures.add(s.readAsync(kind, b, p));
    }
    futures.add(s.readAsync(kind, ByteBuffer.allocate(8), data.length));
    for (int i = 0; i < where.size(); i++) {
      long p = where.get(i)[0];
      int len = (int) where.get(i)[1];
      int n = futures.get(i).get(30, TimeUnit.SECONDS);
      if (p >= data.length) {
        assertEquals(-1, n, c);
        continue;
      }
      int want = (int) Math.min(len, data.length - p);
      assertEquals(want, n, "async read of " + len + " at " + p + ": " + c);
      byte[] a = new byte[want];
      bufs.get(i).flip().get(a);
      assertTrue(Arrays.equals(data, (int) p, (int) p + want, a, 0, want), "async read at " + p + ": " + c);
    }
    assertEquals(-1, futures.get(futures.size() - 1).get(30, TimeUnit.SECONDS), "async read at the end: " + c);
  }

  // ---- identity

  @Test
  void identityIgnoresCodecDedupAndThreadsButNotContentOrBlockSize(@TempDir Path dir) throws Exception {
    long seed = Seeds.derive(SEED, "identity");
    Random rnd = new Random(seed);
    int bs = 4096;
    byte[] data = TestData.mixed(300_001, bs, rnd);
    Map<String, byte[]> ids = new LinkedHashMap<>();
    int n = 0;
    for (Codecs c : Codecs.values()) {
      for (boolean dedup : new boolean[] {true, false}) {
        Path f = dir.resolve("id" + n++ + ".hxz");
        Snaps.write(f, Snaps.options(bs, c.type, c.level, dedup).threads(1 + n % 3).build(), data);
        ids.put(c + "/dedup=" + dedup, Hexz.inspect(f).header().identity());
        assertTrue(Files.size(f) > 0);
      }
    }
    byte[] first = ids.values().iterator().next();
    ids.forEach((k, v) -> assertArrayEquals(first, v, "identity differs for " + k + ", " + Seeds.describe(seed)));

    byte[] other = data.clone();
    other[rnd.nextInt(other.length)] ^= 1;
    Path f2 = dir.resolve("other.hxz");
    Snaps.write(f2, Snaps.options(bs, CodecType.LZ4, 0, true).build(), other);
    assertFalse(Arrays.equals(first, Hexz.inspect(f2).header().identity()),
        "a one-bit change of content must change the identity, " + Seeds.describe(seed));

    Path f3 = dir.resolve("bs.hxz");
    Snaps.write(f3, Snaps.options(2 * bs, CodecType.LZ4, 0, true).build(), data);
    assertFalse(Arrays.equals(first, Hexz.inspect(f3).header().identity()),
        "the identity covers the block size, " + Seeds.describe(seed));
    assertArrayEquals(TestData.identity(2 * bs, data), Hexz.inspect(f3).header().identity());

    Path f4 = dir.resolve("longer.hxz");
    byte[] zeroTail = Arrays.copyOf(data, data.length + 1); // one more zero byte
    Snaps.write(f4, Snaps.options(bs, CodecType.LZ4, 0, true).build(), zeroTail);
    assertFalse(Arrays.equals(first, Hexz.inspect(f4).header().identity()),
        "the identity covers the size (a trailing zero byte), " + Seeds.describe(seed));
  }

  // ---- memory stream

  static Stream<Arguments> memoryCases() {
    List<Arguments> out = new ArrayList<>();
    for (boolean memoryFirst : new boolean[] {true, false}) {
      for (boolean dedup : new boolean[] {true, false}) {
        out.add(Arguments.of(memoryFirst, dedup));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "memoryFirst={0} dedup={1}")
  @MethodSource("memoryCases")
  void diskAndMemoryStreamsInEitherOrder(boolean memoryFirst, boolean dedup, @TempDir Path dir) throws Exception {
    long seed = Seeds.derive(SEED, "memory", memoryFirst, dedup);
    Random rnd = new Random(seed);
    String ctx = "memoryFirst=" + memoryFirst + " dedup=" + dedup + " " + Seeds.describe(seed);
    int bs = 4096;
    byte[] disk = TestData.mixed(700_003, bs, rnd);
    byte[] memory = TestData.mixed(500_001, bs, rnd);
    // Blocks the two streams share: dedup works across streams of one file.
    System.arraycopy(disk, 8 * bs, memory, 16 * bs, 10 * bs);
    System.arraycopy(TestData.random(3 * bs, rnd), 0, disk, 40 * bs, 3 * bs);
    System.arraycopy(disk, 40 * bs, memory, 2 * bs, 3 * bs);

    Path file = dir.resolve("vm.hxz");
    WriteStats stats = Snaps.write(file, Snaps.options(bs, CodecType.ZSTD, 3, dedup).build(), disk, memory,
        memoryFirst);
    byte[] identity = TestData.identity(bs, disk, memory);
    assertArrayEquals(identity, stats.identity(), ctx);
    try (Snapshot s = Hexz.open(file, ReadOptions.DEFAULTS)) {
      assertTrue(s.memory().isPresent(), ctx);
      readBackEveryWay(s, StreamKind.DISK, disk, bs, rnd, ctx);
      readBackEveryWay(s, StreamKind.MEMORY, memory, bs, rnd, ctx);
      assertEquals(disk.length, s.size(), ctx);
    }
    VerifyReport v = Hexz.verify(file);
    assertTrue(v.ok(), ctx + ": " + v.problems());
    assertEquals(disk.length + (long) memory.length, v.bytesChecked(), ctx);

    // Expected counts follow the write order: the second stream reuses the first one's blocks.
    Set<String> seen = new HashSet<>();
    BlockFacts first = TestData.facts(memoryFirst ? memory : disk, bs, dedup, seen);
    BlockFacts second = TestData.facts(memoryFirst ? disk : memory, bs, dedup, seen);
    BlockFacts diskFacts = memoryFirst ? second : first;
    BlockFacts memFacts = memoryFirst ? first : second;
    AnalyzeReport a = Hexz.analyze(file);
    assertEquals(2, a.streams().size(), ctx);
    for (AnalyzeReport.StreamStats st : a.streams()) {
      boolean isDisk = st.stream().equals(StreamKind.DISK.toString());
      assertFacts(isDisk ? diskFacts : memFacts, st, st.stream() + " stream, " + ctx);
    }
    assertEquals(diskFacts.dedupBlocks() + memFacts.dedupBlocks(), stats.dedupBlocks(), ctx);
    if (dedup) {
      // Every non-zero block copied across is a duplicate in the second stream (zero blocks are
      // counted as zero, and mixed() makes some).
      int shared = 3;
      for (int j = 8; j < 18; j++) {
        shared += TestData.isZero(disk, j * bs, bs) ? 0 : 1;
      }
      assertTrue(second.dedupBlocks() >= shared, "cross-stream dedup expected: " + ctx);
    }
  }

  @Test
  void identityDoesNotDependOnStreamOrder(@TempDir Path dir) throws Exception {
    long seed = Seeds.derive(SEED, "order");
    Random rnd = new Random(seed);
    byte[] disk = TestData.mixed(100_000, 4096, rnd);
    byte[] memory = TestData.mixed(50_000, 4096, rnd);
    Path a = dir.resolve("a.hxz");
    Path b = dir.resolve("b.hxz");
    Snaps.write(a, Snaps.options(4096, CodecType.LZ4, 0, true).build(), disk, memory, true);
    Snaps.write(b, Snaps.options(4096, CodecType.LZ4, 0, true).build(), disk, memory, false);
    assertArrayEquals(Hexz.inspect(a).header().identity(), Hexz.inspect(b).header().identity(),
        Seeds.describe(seed));
    assertTrue(Files.mismatch(a, b) >= 0, "the layouts differ, so the files must too");
  }

  // ---- primitive arrays

  @ParameterizedTest(name = "length={0}")
  @ValueSource(ints = {0, 1, 1023, 100_003})
  void primitiveArraysAreStoredLittleEndian(int length, @TempDir Path dir) throws Exception {
    long seed = Seeds.derive(SEED, "arrays", length);
    Random rnd = new Random(seed);
    String ctx = "length=" + length + " " + Seeds.describe(seed);
    float[] f = new float[length];
    double[] d = new double[length];
    int[] i = new int[length];
    long[] l = new long[length];
    short[] sh = new short[length];
    float[] specialsF = {Float.NaN, Float.intBitsToFloat(0x7fc00001), -0.0f, Float.POSITIVE_INFINITY,
        Float.MIN_VALUE, 1.5f};
    for (int k = 0; k < length; k++) {
      f[k] = k < specialsF.length ? specialsF[k] : (float) rnd.nextGaussian();
      d[k] = k == 0 ? -0.0 : k == 1 ? Double.NaN : rnd.nextDouble() * 1e300;
      i[k] = k == 0 ? 0x01020304 : rnd.nextInt();
      l[k] = k == 0 ? 0x0102030405060708L : rnd.nextLong();
      sh[k] = k == 0 ? (short) 0x0102 : (short) rnd.nextInt();
    }
    WriteOptions opts = Snaps.options(4096, CodecType.ZSTD, 3, true).build();

    Path p1 = dir.resolve("fd.hxz");
    try (SnapshotWriter w = Hexz.create(p1, opts)) {
      w.addArray(StreamKind.DISK, f);
      w.addArray(StreamKind.MEMORY, d);
      w.finish();
    }
    Path p2 = dir.resolve("il.hxz");
    try (SnapshotWriter w = Hexz.create(p2, opts)) {
      w.addArray(StreamKind.MEMORY, l);
      w.addArray(StreamKind.DISK, i);
      w.finish();
    }
    Path p3 = dir.resolve("s.hxz");
    try (SnapshotWriter w = Hexz.create(p3, opts)) {
      w.addArray(StreamKind.DISK, sh);
      w.finish();
    }
    try (Snapshot s1 = Hexz.open(p1, ReadOptions.DEFAULTS); Snapshot s2 = Hexz.open(p2, ReadOptions.DEFAULTS);
        Snapshot s3 = Hexz.open(p3, ReadOptions.DEFAULTS)) {
      ByteBuffer fb = le(Snaps.readAll(s1.disk(), 5000));
      ByteBuffer db = le(Snaps.readAll(s1.memory().orElseThrow(), 5000));
      ByteBuffer ib = le(Snaps.readAll(s2.disk(), 5000));
      ByteBuffer lb = le(Snaps.readAll(s2.memory().orElseThrow(), 5000));
      ByteBuffer sb = le(Snaps.readAll(s3.disk(), 5000));
      assertEquals(4L * length, fb.capacity(), ctx);
      assertEquals(8L * length, db.capacity(), ctx);
      assertEquals(4L * length, ib.capacity(), ctx);
      assertEquals(8L * length, lb.capacity(), ctx);
      assertEquals(2L * length, sb.capacity(), ctx);
      for (int k = 0; k < length; k++) {
        if (Float.floatToRawIntBits(f[k]) != fb.getInt(4 * k)) {
          fail("float " + k + ": " + ctx);
        }
        if (Double.doubleToRawLongBits(d[k]) != lb(db, k)) {
          fail("double " + k + ": " + ctx);
        }
        if (i[k] != ib.getInt(4 * k) || l[k] != lb.getLong(8 * k) || sh[k] != sb.getShort(2 * k)) {
          fail("int/long/short " + k + ": " + ctx);
        }
      }
      if (length > 0) {
        // Little-endian spelled out, independently of ByteBuffer's order handling.
        assertArrayEquals(new byte[] {4, 3, 2, 1}, Arrays.copyOf(ib.array(), 4), ctx);
        assertArrayEquals(new byte[] {8, 7, 6, 5, 4, 3, 2, 1}, Arrays.copyOf(lb.array(), 8), ctx);
        assertArrayEquals(new byte[] {2, 1}, Arrays.copyOf(sb.array(), 2), ctx);
      }
      if (length > 2) {
        byte[] minusZero = new byte[4];
        fb.get(8, minusZero); // f[2] is -0.0f: sign bit only, in the last byte
        assertArrayEquals(new byte[] {0, 0, 0, (byte) 0x80}, minusZero, "-0.0f little-endian: " + ctx);
      }
    }
    assertTrue(Hexz.verify(p1).ok() && Hexz.verify(p2).ok() && Hexz.verify(p3).ok(), ctx);
  }

  private static long lb(ByteBuffer b, int k) {
    return b.getLong(8 * k);
  }

  private static ByteBuffer le(byte[] b) {
    return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
  }

  @Test
  void formatConstantsDescribeATwoLevelIndexForTheBigCase() {
    // The "several MiB" case with 4 KiB blocks must exercise internal index pages.
    int big = sizes(4096, Kind.SPARSE)[4];
    assertEquals(2, Format.indexDepth((big + 4095) / 4096));
  }
}
