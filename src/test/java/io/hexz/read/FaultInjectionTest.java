package io.hexz.read;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hexz.codec.CodecType;
import io.hexz.store.ByteSource;
import io.hexz.store.ByteSources;
import io.hexz.testing.ForwardingByteSource;
import io.hexz.testing.Layout;
import io.hexz.testing.Layout.Extent;
import io.hexz.testing.Layout.Region;
import io.hexz.testing.Seeds;
import io.hexz.testing.Snaps;
import io.hexz.testing.TestData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * I/O errors from the byte source, injected by a forwarding wrapper: a read that touches a failing
 * range throws that IOException (never wrong bytes, never a hang), every other block still reads
 * correctly, and once the source recovers the same open snapshot reads everything (failures are
 * not cached).
 */
class FaultInjectionTest {
  private static final long SEED = Seeds.random(FaultInjectionTest.class);

  @TempDir
  static Path dir;

  private static Path file;
  private static byte[] data;
  private static Layout layout;
  private static final int BS = 4096;

  @BeforeAll
  static void build() throws IOException {
    data = TestData.mixed(5_000_000 + 7, BS, new Random(SEED)); // more than 1024 blocks: a two-level index
    file = dir.resolve("faults.hxz");
    Snaps.write(file, Snaps.options(BS, CodecType.LZ4, 0, true).build(), data);
    layout = Layout.parse(file);
  }

  /** A source that fails every read overlapping [from, to) while {@code failing} is set. */
  static final class FaultySource extends ForwardingByteSource {
    final long from;
    final long to;
    volatile boolean failing = true;
    final AtomicInteger injected = new AtomicInteger();

    FaultySource(ByteSource delegate, long from, long to) {
      super(delegate);
      this.from = from;
      this.to = to;
    }

    @Override
    public void readFully(ByteBuffer dst, long position) throws IOException {
      if (failing && position < to && position + dst.remaining() > from) {
        injected.incrementAndGet();
        throw new IOException(name() + ": injected I/O error at " + position);
      }
      super.readFully(dst, position);
    }
  }

  @ParameterizedTest
  @EnumSource(value = Region.class, names = {"PAYLOAD_LZ4", "PAYLOAD_RAW", "LEAF_PAGE"})
  void readsTouchingAFailingRangeThrowAndOthersStayCorrect(Region region) throws Exception {
    Random rnd = new Random(Seeds.derive(SEED, region));
    List<Extent> es = layout.of(region);
    Extent bad = es.get(rnd.nextInt(es.size()));
    String ctx = "failing " + bad + ", " + Seeds.describe(SEED);
    for (ReadOptions ro : new ReadOptions[] {ReadOptions.DEFAULTS, ReadOptions.UNCACHED}) {
      FaultySource src = new FaultySource(ByteSources.open(file), bad.offset(), bad.end());
      try (Snapshot s = Snapshots.open(src, ro)) {
        int failed = 0;
        for (long off = 0; off < data.length; off += BS) {
          int len = (int) Math.min(BS, data.length - off);
          byte[] got = new byte[len];
          try {
            assertEquals(len, s.read(ByteBuffer.wrap(got), off), ctx);
          } catch (IOException e) {
            failed++;
            continue;
          }
          assertTrue(Arrays.equals(data, (int) off, (int) off + len, got, 0, len), "wrong bytes at " + off + ": " + ctx);
        }
        assertTrue(failed > 0, "the failing range must fail some reads: " + ctx);
        assertTrue(src.injected.get() > 0, ctx);
        IOException e = assertThrows(IOException.class, () -> Snaps.readAll(s, data.length), ctx);
        assertTrue(e.getMessage().contains(file.toString()), "the error must name the file: " + e.getMessage());

        src.failing = false; // the disk recovers: nothing may have been cached as failed
        assertArrayEquals(data, Snaps.readAll(s, 100_000), ctx);
      }
    }
  }
}
