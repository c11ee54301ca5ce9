package io.hexz.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.hexz.Hexz;
import io.hexz.codec.CodecType;
import io.hexz.fuzz.Mutator.Span;
import io.hexz.overlay.Overlay;
import io.hexz.read.AbstractBlockDevice;
import io.hexz.read.BlockDevice;
import io.hexz.read.Snapshot;
import io.hexz.testing.QuietHexzLog;
import io.hexz.testing.Snaps;
import io.hexz.testing.TestData;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fuzzes the overlay log through its open and recovery path ({@link Overlay#open}): edits to the
 * overlay header (usually with its CRC recomputed: version, page size, size, base identity) and
 * to the records (magic, count, first page, sequence, CRC, data), truncation and insertion. The
 * log's records are never re-checksummed here, so recovery must cut it at the first damaged
 * record: the overlay then serves exactly the base with the first k writes applied, for some k,
 * or open fails with an IOException naming the overlay file. A header given a new size and a
 * recomputed CRC is a resized overlay: the same, cut or zero-extended to that size.
 */
@ExtendWith(QuietHexzLog.class)
class OverlayFuzzTest {
  private static Path dir;
  private static Snapshot base;
  private static byte[] good;
  /** states.get(k): the content after the first k writes. */
  private static final List<byte[]> states = new ArrayList<>();
  private static final List<Span> focus = new ArrayList<>();
  private static Harness harness;

  @BeforeAll
  static void setUp() throws Exception {
    dir = Harness.tempDir("overlay");
    Random rnd = new Random(8);
    byte[] disk = Images.content(rnd, 30, 20);
    Path snap = dir.resolve("base.hxz");
    Snaps.write(snap, Images.options(CodecType.LZ4).build(), disk);
    base = Hexz.open(snap, Images.OPTIONS);
    Path ovl = dir.resolve("good.ovl");
    byte[] content = disk.clone();
    states.add(content.clone());
    focus.add(new Span("overlay header", 0, 64));
    focus.add(new Span("overlay header crc", 4092, 4));
    try (Overlay o = Overlay.open(ovl, base.disk(), base.header().identity())) {
      for (int i = 0; i < 10; i++) {
        long before = Files.size(ovl);
        int off = rnd.nextInt(content.length - 1);
        int len = Math.min(content.length - off, 1 + rnd.nextInt(3 * Overlay.PAGE_SIZE));
        byte[] w = TestData.random(len, rnd);
        o.write(ByteBuffer.wrap(w), off);
        o.flush();
        System.arraycopy(w, 0, content, off, len);
        states.add(content.clone());
        focus.add(new Span("record " + (i + 1) + " header", (int) before, 32));
        focus.add(new Span("record " + (i + 1), (int) before, (int) (Files.size(ovl) - before)));
      }
    }
    good = Files.readAllBytes(ovl);
    harness = new Harness("overlay", "in.ovl");
  }

  @AfterAll
  static void tearDown() throws Exception {
    base.close();
    harness.finish(dir);
  }

  @FuzzTest(maxDuration = "30s")
  void overlay(FuzzedDataProvider d) throws Exception {
    byte[] f = Mutator.mutate(d, good, focus, good.length, 4096, 4128, 1, 10, 11, 256, 257, states.get(0).length);
    boolean forged = d.consumeInt(0, 3) != 0;
    if (forged) {
      Mutator.recrcHeader(f);
    }
    Path in = dir.resolve("in.ovl");
    Files.write(in, f);
    harness.check(Images.describe(good, f), () -> {
      try (Overlay o = Overlay.open(in, base.disk(), base.header().identity())) {
        int baseLength = states.get(0).length;
        long size = o.size();
        if (size != baseLength && !forged) {
          throw new AssertionError("WRONG SIZE: " + size + " from a header whose checksum was not recomputed");
        }
        // A header with a new size and a recomputed checksum is a resized overlay, not a damaged
        // one (the CRC is a damage check; an overlay is not authenticated): it must serve the
        // writes cut or zero-extended to that size. Past the base, only the first and last 64 KiB.
        byte[] got = Snaps.readAll(new Prefix(o, Math.min(size, baseLength + 65536L)), 50_000);
        if (states.stream().noneMatch(s -> Arrays.equals(Arrays.copyOf(s, got.length), got))) {
          throw new AssertionError("WRONG BYTES: the overlay serves no prefix of its writes");
        }
        if (size > got.length) {
          ByteBuffer tail = ByteBuffer.allocate((int) Math.min(65536, size - got.length));
          while (tail.hasRemaining()) {
            o.read(tail, size - tail.capacity() + tail.position());
          }
          if (!Arrays.equals(tail.array(), new byte[tail.capacity()])) {
            throw new AssertionError("WRONG BYTES: a grown disk's end is not zeros");
          }
        }
      }
    });
  }

  /** The first {@code size} bytes of a device. */
  private static final class Prefix extends AbstractBlockDevice {
    private final BlockDevice d;
    private final long size;

    Prefix(BlockDevice d, long size) {
      this.d = d;
      this.size = size;
    }

    @Override
    public long size() {
      return size;
    }

    @Override
    protected int readChecked(ByteBuffer dst, long offset) throws java.io.IOException {
      ByteBuffer slice = dst.slice().limit((int) Math.min(dst.remaining(), size - offset));
      int n = d.read(slice, offset);
      dst.position(dst.position() + Math.max(0, n));
      return n;
    }

    @Override
    public void close() {}
  }
}
