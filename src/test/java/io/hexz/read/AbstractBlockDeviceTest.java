package io.hexz.read;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.hexz.testing.Seeds;
import io.hexz.testing.TestData;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract of {@link BlockDevice}, run against every implementation: a subclass supplies a
 * device and the bytes it must hold; every test here reads it in a different way and compares.
 *
 * <p>The contract: {@code read(dst, offset)} fills dst from its position up to its limit or the
 * end of the device, whichever comes first, advances only the position, never touches bytes
 * outside [position, limit), returns the count, returns -1 at or past the end when dst has room,
 * 0 when dst has no room, rejects a negative offset, and is safe under concurrent callers.
 *
 * <p>Subjects must span at least three blocks and end inside a block, so that boundary and
 * partial-block cases exist.
 */
public abstract class AbstractBlockDeviceTest {
  private static final long BASE_SEED = Seeds.random(AbstractBlockDeviceTest.class);
  private static final byte SENTINEL = (byte) 0xA5;

  /** A device under test, the bytes it must hold, its block size, and what to close after. */
  public record Subject(BlockDevice device, byte[] expected, int blockSize, AutoCloseable resources) {}

  /** Builds the device under test in {@code dir}; content may be drawn from {@code rnd}. */
  protected abstract Subject create(Path dir, Random rnd) throws Exception;

  @TempDir
  Path dir;

  private Subject subject;
  private BlockDevice dev;
  private byte[] expected;
  private int bs;
  private long seed;
  private Random rnd;

  @BeforeEach
  void setUp(TestInfo info) throws Exception {
    seed = Seeds.derive(BASE_SEED, getClass().getName(), info.getDisplayName());
    rnd = new Random(seed);
    subject = create(dir, rnd);
    dev = subject.device();
    expected = subject.expected();
    bs = subject.blockSize();
    assertTrue(expected.length >= 3L * bs && expected.length % bs != 0,
        "a conformance subject must span at least three blocks and end inside one (size " + expected.length
            + ", block " + bs + ")");
  }

  @AfterEach
  void tearDown() throws Exception {
    subject.resources().close();
  }

  private String ctx() {
    return getClass().getSimpleName() + " " + Seeds.describe(seed);
  }

  @Test
  void sizeIsTheSourceLength() {
    assertEquals(expected.length, dev.size(), ctx());
  }

  @Test
  void wholeDeviceInOneRead() throws Exception {
    byte[] all = new byte[expected.length];
    assertEquals(expected.length, dev.read(ByteBuffer.wrap(all), 0), ctx());
    assertArrayEquals(expected, all, ctx());
  }

  @Test
  void sequentialSmallReadsCoverTheDevice() throws Exception {
    // A sequential scan in pieces smaller than a block (what a prefetcher watches for).
    int chunk = Math.max(1, bs / 3 + 1);
    byte[] all = new byte[expected.length];
    long pos = 0;
    while (true) {
      int n = dev.read(ByteBuffer.wrap(all, (int) Math.min(pos, all.length), (int) Math.min(chunk,
          Math.max(0, all.length - pos))), pos);
      if (pos == all.length) {
        assertEquals(0, n, "zero-length read at the end: " + ctx());
        break;
      }
      assertEquals(Math.min(chunk, all.length - pos), n, "read at " + pos + ": " + ctx());
      pos += n;
    }
    assertArrayEquals(expected, all, ctx());
  }

  @Test
  void randomReadsAgreeWithTheSource() throws Exception {
    for (int i = 0; i < 1500; i++) {
      randomRead(rnd, i);
    }
  }

  @Test
  void readsAcrossBlockBoundaries() throws Exception {
    long blocks = (expected.length + bs - 1) / bs;
    int[] before = {1, 7, bs / 2, bs};
    int[] after = {1, 3, bs / 2, bs, bs + 1};
    for (long b = 1; b < blocks; b += Math.max(1, blocks / 200)) {
      long boundary = b * bs;
      for (int d1 : before) {
        for (int d2 : after) {
          long off = boundary - d1;
          int len = (int) Math.min(d1 + d2, expected.length - off);
          checkRead(off, len, kind(rnd), rnd);
        }
      }
    }
  }

  @Test
  void readsAtOrPastTheEndReturnMinusOne() throws Exception {
    long[] offsets = {expected.length, expected.length + 1L, expected.length + (long) bs, 1L << 40,
        Long.MAX_VALUE};
    for (long off : offsets) {
      for (BufferKind k : BufferKind.values()) {
        Target t = k.make(16, rnd);
        assertEquals(-1, dev.read(t.buffer, off), "read at " + off + " with " + k + ": " + ctx());
        t.assertUntouched(0, "nothing may be written past the end (" + k + ", offset " + off + "): " + ctx());
        assertEquals(t.start, t.buffer.position(), "position must not move at the end: " + ctx());
      }
      byte[] arr = filled(8);
      assertEquals(-1, dev.read(arr, 2, 4, off), ctx());
      assertArrayEquals(filled(8), arr, ctx());
    }
  }

  @Test
  void partialFinalReadReturnsWhatIsLeft() throws Exception {
    int[] lefts = {1, 2, 10, bs - 1, bs, bs + 3};
    for (int left : lefts) {
      long off = expected.length - left;
      for (BufferKind k : BufferKind.values()) {
        Target t = k.make(left + 100, rnd);
        assertEquals(left, dev.read(t.buffer, off), "partial read of the last " + left + " bytes: " + ctx());
        assertEquals(t.start + left, t.buffer.position(), ctx());
        t.assertContent(expected, off, left, ctx());
        // A second read continues at the end and finds nothing more.
        assertEquals(-1, dev.read(t.buffer, off + left), ctx());
      }
    }
  }

  @Test
  void zeroLengthReadsReturnZeroAnywhere() throws Exception {
    long[] offsets = {0, 1, bs - 1, bs, expected.length / 2, expected.length - 1, expected.length,
        expected.length + 10L};
    for (long off : offsets) {
      for (BufferKind k : BufferKind.values()) {
        Target t = k.make(0, rnd);
        assertEquals(0, dev.read(t.buffer, off), "zero-length read at " + off + " (" + k + "): " + ctx());
        assertEquals(t.start, t.buffer.position(), ctx());
      }
      assertEquals(0, dev.read(new byte[4], 2, 0, off), ctx());
    }
  }

  @Test
  void negativeOffsetsAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> dev.read(ByteBuffer.allocate(10), -1), ctx());
    assertThrows(IllegalArgumentException.class, () -> dev.read(new byte[10], 0, 10, Long.MIN_VALUE), ctx());
  }

  @Test
  void arrayReadsStayInsideTheirSlice() throws Exception {
    for (int i = 0; i < 200; i++) {
      int len = 1 + rnd.nextInt(2 * bs);
      long off = (long) (rnd.nextDouble() * (expected.length - 1));
      int pad = rnd.nextInt(5);
      byte[] arr = filled(pad + len + 5);
      int n = dev.read(arr, pad, len, off);
      int want = (int) Math.min(len, expected.length - off);
      assertEquals(want, n, "read " + len + " at " + off + ": " + ctx());
      assertTrue(Arrays.equals(expected, (int) off, (int) off + want, arr, pad, pad + want),
          "bytes at " + off + ": " + ctx());
      for (int j = 0; j < arr.length; j++) {
        if (j < pad || j >= pad + want) {
          assertEquals(SENTINEL, arr[j], "byte " + j + " outside the slice was written: " + ctx());
        }
      }
    }
  }

  @Test
  void readOnlyDevicesRefuseWrites() throws Exception {
    // The writable contract is tested by the writable devices' own suites.
    assumeFalse(dev.isWritable(), "a writable device: the read-only contract does not apply");
    assertThrows(UnsupportedOperationException.class, () -> dev.write(ByteBuffer.wrap(new byte[] {1, 2}), 0),
        ctx());
    dev.flush(); // a no-op, but must not fail
    checkRead(0, 16, BufferKind.HEAP, rnd);
  }

  @Test
  void concurrentRandomReadersAgreeWithTheSource() {
    int threads = 8;
    int readsEach = 150;
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < threads; t++) {
          Random r = new Random(Seeds.derive(seed, "thread", t));
          done.add(pool.submit(() -> {
            start.await();
            for (int i = 0; i < readsEach && failures.isEmpty(); i++) {
              try {
                randomRead(r, i);
              } catch (Throwable e) {
                failures.add(e);
              }
            }
            return null;
          }));
        }
        start.countDown();
        for (Future<?> f : done) {
          f.get();
        }
        if (!failures.isEmpty()) {
          AssertionError e = new AssertionError(failures.size() + " concurrent reads failed: " + ctx(),
              failures.get(0));
          throw e;
        }
      } finally {
        pool.shutdownNow();
      }
    }, this::ctx);
  }

  // ---- helpers

  private void randomRead(Random r, int i) throws Exception {
    long off;
    switch (r.nextInt(4)) {
      case 0: // near a block boundary
        long blocks = (expected.length + bs - 1) / bs;
        off = Math.max(0, (1 + (long) r.nextInt((int) Math.max(1, blocks - 1))) * bs - r.nextInt(64));
        break;
      case 1: // near the end
        off = Math.max(0, expected.length - 1 - r.nextInt(2 * bs));
        break;
      default:
        off = (long) (r.nextDouble() * expected.length);
    }
    int len = r.nextInt(8) == 0 ? r.nextInt(16) : 1 + r.nextInt(3 * bs);
    if (r.nextInt(4) == 0) {
      checkTransfer(Math.min(off, expected.length - 1), len);
    } else {
      checkRead(Math.min(off, expected.length - 1), len, kind(r), r);
    }
  }

  /** transferTo delivers exactly the source bytes, in order, clipped at the end. */
  private void checkTransfer(long off, int len) throws Exception {
    java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
    byte[] scratch = filled(len);
    int n = dev.transferTo(off, len, scratch, new BlockDevice.Sink() {
      @Override
      public void bytes(byte[] src, int o, int l) {
        got.write(src, o, l);
      }

      @Override
      public void zeros(int l) {
        got.write(new byte[l], 0, l);
      }
    });
    int want = (int) Math.max(0, Math.min(len, expected.length - off));
    String what = "transfer of " + len + " at " + off + ": " + ctx();
    assertEquals(want, n, what);
    assertArrayEquals(Arrays.copyOfRange(expected, (int) Math.min(off, expected.length), (int) Math.min(off, expected.length) + want),
        got.toByteArray(), what);
  }

  @Test
  void transfersAgreeWithTheSource() throws Exception {
    Random r = new Random(Seeds.derive(seed, "transfer"));
    checkTransfer(0, expected.length);
    checkTransfer(expected.length, 10);
    checkTransfer(Math.max(0, expected.length - 3), 100);
    for (int i = 0; i < 200; i++) {
      long off = (long) (r.nextDouble() * expected.length);
      checkTransfer(off, r.nextInt(3 * bs + 1));
    }
  }

  private static BufferKind kind(Random r) {
    return BufferKind.values()[r.nextInt(BufferKind.values().length)];
  }

  private void checkRead(long off, int len, BufferKind k, Random r) throws Exception {
    Target t = k.make(len, r);
    int n = dev.read(t.buffer, off);
    int want = (int) Math.min(len, expected.length - off);
    if (len == 0) {
      assertEquals(0, n, ctx());
      return;
    }
    assertEquals(want, n, "read of " + len + " at " + off + " (" + k + "): " + ctx());
    assertEquals(t.start + want, t.buffer.position(), ctx());
    t.assertContent(expected, off, want, "read of " + len + " at " + off + " (" + k + "): " + ctx());
  }

  private static byte[] filled(int n) {
    byte[] b = new byte[n];
    Arrays.fill(b, SENTINEL);
    return b;
  }

  /** The buffer shapes a caller may pass. */
  enum BufferKind {
    HEAP,
    HEAP_SLICE, // position and limit inside a larger array, with an array offset
    DIRECT,
    ARRAY_VIA_WRAP;

    Target make(int len, Random r) {
      int pad = 1 + r.nextInt(7);
      ByteBuffer b;
      switch (this) {
        case HEAP:
          b = ByteBuffer.allocate(len);
          break;
        case HEAP_SLICE: {
          ByteBuffer whole = ByteBuffer.wrap(filled(len + 3 * pad));
          whole.position(pad);
          b = whole.slice(); // arrayOffset = pad
          b.position(pad).limit(pad + len);
          break;
        }
        case DIRECT: {
          ByteBuffer d = ByteBuffer.allocateDirect(len + 2 * pad);
          while (d.hasRemaining()) {
            d.put(SENTINEL);
          }
          d.clear().position(pad).limit(pad + len);
          b = d;
          break;
        }
        default:
          b = ByteBuffer.wrap(filled(len + 2 * pad), pad, len);
      }
      if (this == HEAP) {
        for (int i = 0; i < len; i++) {
          b.put(i, SENTINEL);
        }
      }
      return new Target(b, b.position(), b.limit());
    }
  }

  /** A buffer handed to a read and where its writable window started and ended. */
  static final class Target {
    final ByteBuffer buffer;
    final int start;
    final int limit;

    Target(ByteBuffer buffer, int start, int limit) {
      this.buffer = buffer;
      this.start = start;
      this.limit = limit;
    }

    /** Bytes [start, start+n) equal expected[off, off+n) and every other byte is untouched. */
    void assertContent(byte[] expected, long off, int n, String ctx) {
      assertEquals(limit, buffer.limit(), "limit moved: " + ctx);
      byte[] got = new byte[n];
      buffer.get(start, got);
      if (!Arrays.equals(expected, (int) off, (int) off + n, got, 0, n)) {
        byte[] want = Arrays.copyOfRange(expected, (int) off, (int) off + n);
        throw new AssertionError("wrong bytes, " + TestData.firstDifference(want, got) + ": " + ctx);
      }
      assertUntouched(n, ctx);
    }

    /** Every byte of the backing memory outside [start, start+written) still holds the sentinel. */
    void assertUntouched(int written, String ctx) {
      int cap = buffer.capacity();
      ByteBuffer all = buffer.duplicate().clear(); // absolute reads past the limit
      for (int i = 0; i < cap; i++) {
        if ((i < start || i >= start + written) && all.get(i) != SENTINEL) {
          throw new AssertionError("byte " + i + " was written although the read reported only [" + start + ", "
              + (start + written) + "): " + ctx);
        }
      }
      if (buffer.hasArray()) {
        byte[] a = buffer.array();
        for (int i = 0; i < buffer.arrayOffset(); i++) {
          if (a[i] != SENTINEL) {
            throw new AssertionError("array byte " + i + " before the buffer's window was written: " + ctx);
          }
        }
        for (int i = buffer.arrayOffset() + cap; i < a.length; i++) {
          if (a[i] != SENTINEL) {
            throw new AssertionError("array byte " + i + " after the buffer's window was written: " + ctx);
          }
        }
      }
    }
  }
}
