package io.hexz.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import io.hexz.testing.Seeds;
import io.hexz.testing.TestData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every codec at the levels the profiles use: round trips at odd offsets, empty and
 * incompressible input, and damaged payloads (truncated, garbage, a wrong claimed size), which
 * must end in a {@link CodecException} and never in wrong bytes or a write outside the
 * destination window.
 */
class CodecTest {
  private static final long SEED = Seeds.fixed(CodecTest.class, 0x5EED_C0DECL);
  private static final byte SENTINEL = (byte) 0xA5;
  private static final int BLOCK = 64 << 10;
  /** Bytes before and after the window a codec may write (they must keep the sentinel). */
  private static final int GUARD = 37;

  static Stream<Codec> codecs() {
    return Stream.of(Codec.of(CodecType.LZ4, 0), Codec.of(CodecType.LZ4, 9), Codec.of(CodecType.ZSTD, 1),
        Codec.of(CodecType.ZSTD, 19));
  }

  private static Random rnd(Codec c, String test) {
    return new Random(Seeds.derive(SEED, c.type(), c.level(), test));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("codecs")
  void roundTripsAtOffsetsAndTouchesNothingOutsideItsWindow(Codec c) throws Exception {
    byte[] data = TestData.mixed(BLOCK, 4096, rnd(c, "round"));
    byte[] src = new byte[data.length + 2 * GUARD];
    System.arraycopy(data, 0, src, GUARD, data.length);
    byte[] packed = new byte[c.maxCompressedLength(data.length) + 2 * GUARD];
    int n = c.compress(src, GUARD, data.length, packed, GUARD, data.length);
    assertTrue(n > 0 && n < data.length, c.type() + " level " + c.level() + " compressed to " + n);
    byte[] out = decode(c, packed, GUARD, n, data.length);
    assertArrayEquals(data, Arrays.copyOfRange(out, GUARD, GUARD + data.length));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("codecs")
  void emptyInputRoundTrips(Codec c) throws Exception {
    byte[] packed = new byte[c.maxCompressedLength(0)];
    int n = c.compress(new byte[0], 0, 0, packed, 0, packed.length);
    assertTrue(n > 0, "compressed to " + n);
    assertEquals(2 * GUARD, decode(c, packed, 0, n, 0).length);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("codecs")
  void incompressibleInputIsRefusedUnlessThereIsRoomAndThenRoundTrips(Codec c) throws Exception {
    byte[] data = TestData.random(BLOCK, rnd(c, "random"));
    byte[] packed = new byte[c.maxCompressedLength(data.length)];
    // The writer offers maxOut = the block size: not smaller means store the block raw.
    assertEquals(-1, c.compress(data, 0, data.length, packed, 0, data.length));
    int n = c.compress(data, 0, data.length, packed, 0, packed.length);
    assertTrue(n >= data.length, "random bytes compressed to " + n);
    assertArrayEquals(data, Arrays.copyOfRange(decode(c, packed, 0, n, data.length), GUARD, GUARD + data.length));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("codecs")
  void truncatedPayloadsAreRejected(Codec c) throws Exception {
    Packed p = pack(c, TestData.text(BLOCK, rnd(c, "truncated")));
    for (int keep : new int[] {0, 1, p.n / 2, p.n - 1}) {
      assertRejected(c, p.bytes, keep, BLOCK, "first " + keep + " of " + p.n + " bytes");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("codecs")
  void garbageIsRejected(Codec c) throws Exception {
    Random r = rnd(c, "garbage");
    for (int i = 0; i < 20; i++) {
      byte[] junk = TestData.random(1 + r.nextInt(4096), r);
      assertRejected(c, junk, junk.length, BLOCK, "garbage #" + i + " (" + junk.length + " bytes)");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("codecs")
  void aPayloadOfAnotherSizeIsRejected(Codec c) throws Exception {
    Packed p = pack(c, TestData.text(BLOCK, rnd(c, "size")));
    assertRejected(c, p.bytes, p.n, BLOCK - 1, "claimed one byte short");
    assertRejected(c, p.bytes, p.n, BLOCK + 1, "claimed one byte long");
    assertRejected(c, p.bytes, p.n, 16, "claimed 16 bytes");
  }

  @Test
  void aZstdFrameDeclaringMoreThanTheBlockIsRejectedWithoutWritingPastIt() {
    // zstd-jni's one-shot compress records the content size in the frame; ours never does.
    byte[] data = TestData.text(4 * BLOCK, new Random(SEED));
    byte[] frame = Zstd.compress(data, 3);
    assertRejected(Codec.shared(CodecType.ZSTD), frame, frame.length, BLOCK, "frame of " + data.length + " bytes");
  }

  @Test
  void levelsOutsideTheRangeAreRefusedWithTheRule() {
    assertEquals("lz4 level (-1) must be 0 (fast) or 1..17 (HC)",
        assertThrows(IllegalArgumentException.class, () -> Codec.of(CodecType.LZ4, -1)).getMessage());
    assertEquals("lz4 level (18) must be 0 (fast) or 1..17 (HC)",
        assertThrows(IllegalArgumentException.class, () -> Codec.of(CodecType.LZ4, 18)).getMessage());
    assertEquals("zstd level (0) must be between 1 and " + Zstd.maxCompressionLevel(),
        assertThrows(IllegalArgumentException.class, () -> Codec.of(CodecType.ZSTD, 0)).getMessage());
    int over = Zstd.maxCompressionLevel() + 1;
    assertEquals("zstd level (" + over + ") must be between 1 and " + Zstd.maxCompressionLevel(),
        assertThrows(IllegalArgumentException.class, () -> Codec.of(CodecType.ZSTD, over)).getMessage());
    assertEquals("no codec for none", assertThrows(IllegalArgumentException.class,
        () -> Codec.of(CodecType.NONE, 0)).getMessage());
    assertEquals("no codec for none", assertThrows(IllegalArgumentException.class,
        () -> Codec.shared(CodecType.NONE)).getMessage());
  }

  @Test
  void sharedCodecsAreOnePerTypeAndSayWhatTheyAre() {
    assertSame(Codec.shared(CodecType.LZ4), Codec.shared(CodecType.LZ4));
    assertEquals(CodecType.LZ4, Codec.shared(CodecType.LZ4).type());
    assertEquals(0, Codec.shared(CodecType.LZ4).level());
    assertEquals(CodecType.ZSTD, Codec.shared(CodecType.ZSTD).type());
    assertEquals(7, Codec.of(CodecType.LZ4, 7).level());
  }

  @Test
  void codecTypesHaveStableIdsAndNames() {
    for (CodecType t : CodecType.values()) {
      assertSame(t, CodecType.fromId(t.id()));
      assertSame(t, CodecType.parse(" " + t.toString().toUpperCase(java.util.Locale.ROOT) + " "));
    }
    assertEquals(List.of(0, 1, 2), Stream.of(CodecType.NONE, CodecType.LZ4, CodecType.ZSTD).map(CodecType::id).toList());
    assertNull(CodecType.fromId(3));
    assertNull(CodecType.fromId(-1));
    assertEquals("unknown compression 'gzip' (expected lz4, zstd or none)",
        assertThrows(IllegalArgumentException.class, () -> CodecType.parse("gzip")).getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("codecs")
  void oneInstanceServesConcurrentThreads(Codec c) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4, r -> new Thread(r, "codec-test-" + c.type()));
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        Random r = rnd(c, "thread " + t);
        done.add(pool.submit(() -> {
          for (int i = 0; i < 8; i++) {
            byte[] data = TestData.mixed(4096 * (1 + r.nextInt(8)), 4096, r);
            Packed p = pack(c, data);
            byte[] out = new byte[data.length];
            c.decompress(p.bytes, 0, p.n, out, 0, data.length);
            assertArrayEquals(data, out);
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** A compressed payload: {@code bytes[0, n)}. */
  private record Packed(byte[] bytes, int n) {}

  /** {@code data} compressed with room for the worst case. */
  private static Packed pack(Codec c, byte[] data) {
    byte[] packed = new byte[c.maxCompressedLength(data.length)];
    return new Packed(packed, c.compress(data, 0, data.length, packed, 0, packed.length));
  }

  /** Decodes into a window of a sentinel-filled array and checks the guard bytes around it. */
  private static byte[] decode(Codec c, byte[] packed, int off, int n, int length) throws CodecException {
    byte[] out = new byte[length + 2 * GUARD];
    Arrays.fill(out, SENTINEL);
    c.decompress(packed, off, n, out, GUARD, length);
    assertGuardsIntact(out, length, "");
    return out;
  }

  private static void assertRejected(Codec c, byte[] packed, int n, int length, String what) {
    byte[] out = new byte[length + 2 * GUARD];
    Arrays.fill(out, SENTINEL);
    assertThrows(CodecException.class, () -> c.decompress(packed, 0, n, out, GUARD, length),
        c.type() + " level " + c.level() + ": " + what + " " + Seeds.describe(SEED));
    assertGuardsIntact(out, length, what);
  }

  private static void assertGuardsIntact(byte[] out, int length, String what) {
    for (int i = 0; i < GUARD; i++) {
      assertEquals(SENTINEL, out[i], what + ": byte " + i + " before the window was written");
      assertEquals(SENTINEL, out[GUARD + length + i], what + ": byte " + i + " after the window was written");
    }
  }
}
