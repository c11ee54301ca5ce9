package io.hexz.overlay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hexz.Hexz;
import io.hexz.read.BlockDevice;
import io.hexz.read.ReadOptions;
import io.hexz.read.Snapshot;
import io.hexz.testing.Seeds;
import io.hexz.testing.Snaps;
import io.hexz.testing.TestData;
import io.hexz.write.WriteOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Growing and shrinking an overlay's disk: model-based (writes, discards, resizes both ways,
 * compactions and reopens, every byte checked, on a base whose size is not a whole number of
 * pages), a crash at every step of a resize, the rules for sizes, and full and thin commits and
 * flatten of a resized disk.
 */
class OverlayResizeTest {
  private static final long SEED = Seeds.random(OverlayResizeTest.class);
  private static final int PAGE = Overlay.PAGE_SIZE;
  private static final int BASE = 300 * PAGE + 777;

  @TempDir
  Path dir;

  private OverlayBase fixture;
  private byte[] img;

  @BeforeEach
  void base() throws IOException {
    img = TestData.mixed(BASE, 16384, new Random(SEED));
    fixture = new OverlayBase(dir, img);
  }

  @AfterEach
  void close() throws IOException {
    fixture.close();
  }

  private void check(BlockDevice o, byte[] model, String what) throws IOException {
    assertEquals(model.length, o.size(), what + ": size " + Seeds.describe(SEED));
    assertArrayEquals(model, Snaps.readAll(o, 30_000), what + " " + Seeds.describe(SEED));
  }

  private static byte[] resized(byte[] model, long size) {
    return Arrays.copyOf(model, (int) size); // grown: zeros; shrunk: cut
  }

  @Test
  void writesDiscardsAndResizesBothWaysReadBackAsTheModel() throws IOException {
    Random rnd = new Random(SEED);
    byte[] model = img.clone();
    OverlayFile o = fixture.open();
    o.setSlack(Long.MAX_VALUE);
    try {
      for (int op = 0; op < 400; op++) {
        int k = rnd.nextInt(24);
        if (k == 0) {
          long to = PAGE * (1L + rnd.nextInt(2 * BASE / PAGE)); // from one page to twice the base
          if (rnd.nextInt(8) == 0) {
            to = BASE; // back to the base's own (unaligned) size
          }
          o.resize(to, true);
          model = resized(model, to);
          check(o, model, "after a resize to " + to + " at op " + op);
        } else if (k == 1) {
          o.compact();
          check(o, model, "after a compaction at op " + op);
        } else if (k == 2) {
          o.close();
          o = fixture.open();
          o.setSlack(Long.MAX_VALUE);
          check(o, model, "after a reopen at op " + op);
        } else {
          OverlayBase.randomOp(rnd, o, model, 8 * PAGE);
        }
      }
    } finally {
      o.close();
    }
    try (Overlay again = fixture.open()) {
      check(again, model, "reopened at the end");
    }
  }

  @Test
  void shrinkingThenGrowingNeverShowsTheOldBytesAgain() throws IOException {
    try (OverlayFile o = fixture.open()) {
      o.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), BASE - 3); // the base's short last page, in the log
      o.resize(100 * PAGE, true);
      o.resize(400 * PAGE, false);
      byte[] want = resized(resized(img, 100 * PAGE), 400 * PAGE);
      check(o, want, "shrunk to 100 pages, grown to 400");
      o.resize(BASE, true);
      check(o, resized(want, BASE), "back to the base's size");
    }
    try (OverlayFile o = fixture.open()) {
      o.resize(BASE + PAGE - 777, false); // the base's size, rounded up to a page
      byte[] want = resized(resized(img, 100 * PAGE), BASE + PAGE - 777);
      check(o, want, "the cut tail of the old last page reads zeros");
    }
  }

  @Test
  void aGrowThatCannotAskTheBaseFailsWholeAndKeepsTheOldDisk() throws IOException {
    java.util.concurrent.atomic.AtomicBoolean failing = new java.util.concurrent.atomic.AtomicBoolean();
    BlockDevice real = fixture.snapshot.disk();
    BlockDevice flaky = new BlockDevice() { // a remote base whose index cannot be read for a while
      @Override public long size() { return real.size(); }
      @Override public int read(ByteBuffer dst, long offset) throws IOException { return real.read(dst, offset); }
      @Override public Extent extentAt(long offset, long maxLength) throws IOException {
        if (failing.get()) {
          throw new IOException("base unreachable");
        }
        return real.extentAt(offset, maxLength);
      }
      @Override public void close() {}
    };
    byte[] shrunk = resized(img, 100 * PAGE);
    try (OverlayFile o = (OverlayFile) Overlay.open(fixture.overlay, flaky, fixture.snapshot.header().identity())) {
      o.resize(100 * PAGE, true);
      failing.set(true);
      assertThrows(IOException.class, () -> o.resize(400 * PAGE, false));
      failing.set(false);
      check(o, shrunk, "after a failed grow");
      o.resize(400 * PAGE, false);
      check(o, resized(shrunk, 400 * PAGE), "grown after all: the base's bytes past the cut stay gone");
    }
    try (Overlay again = fixture.open()) {
      check(again, resized(shrunk, 400 * PAGE), "reopened");
    }
  }

  @Test
  void sizesAreCheckedAndShrinkingMustBeAskedFor() throws IOException {
    try (OverlayFile o = fixture.open()) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> o.resize(BASE + 1000, false));
      assertTrue(e.getMessage().contains("(" + (BASE + 1000) + ") must be a positive multiple of 4096"),
          e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> o.resize(0, true));
      assertThrows(IllegalArgumentException.class, () -> o.resize(OverlayFile.MAX_SIZE + PAGE, false));
      OverlayException x = assertThrows(OverlayException.class, () -> o.resize(10 * PAGE, false));
      assertTrue(x.getMessage().contains("would drop the data past the new end"), x.getMessage());
      check(o, img, "unchanged after refused resizes");
      o.resize(1L << 40, false); // 1 TiB: costs a header, no per-page state past the base
      assertEquals(1L << 40, o.size());
      assertTrue(Files.size(fixture.overlay) < 64 * 1024, "a grown disk's overlay stays small: "
          + Files.size(fixture.overlay));
      ByteBuffer far = ByteBuffer.allocate(PAGE);
      o.read(far, (1L << 40) - PAGE);
      assertArrayEquals(new byte[PAGE], far.array());
    }
    try (Overlay ro = Overlay.openReadOnly(fixture.overlay, fixture.snapshot.disk(),
        fixture.snapshot.header().identity())) {
      assertThrows(OverlayException.class, () -> ro.resize(2L << 40, false));
    }
  }

  /** A resize that fails at step 1 or 2 leaves the old disk; at step 3 (after the rename), the new one. */
  @Test
  void aCrashAtEveryStepOfAResizeLeavesTheOldDiskOrTheNewOne() throws IOException {
    for (int step = 1; step <= 3; step++) {
      Files.deleteIfExists(fixture.overlay);
      byte[] model = img.clone();
      Random rnd = new Random(SEED + step);
      OverlayFile o = fixture.open();
      for (int i = 0; i < 50; i++) {
        int off = rnd.nextInt(BASE - 9000);
        byte[] w = TestData.mixed(1 + rnd.nextInt(9000), 16384, rnd);
        o.write(ByteBuffer.wrap(w), off);
        System.arraycopy(w, 0, model, off, w.length);
      }
      o.flush();
      int at = step;
      o.fault = s -> {
        if (s == at) {
          throw new IOException("simulated crash at step " + s);
        }
      };
      long to = step == 2 ? 100 * PAGE : 500 * PAGE;
      assertThrows(IOException.class, () -> o.resize(to, true), "step " + step);
      o.fault = s -> { };
      byte[] after = step == 3 ? resized(model, to) : model;
      check(o, after, "still serving after a failed resize at step " + step);
      o.close();
      try (Overlay again = fixture.open()) {
        check(again, after, "reopened after a crash at step " + step);
      }
      assertFalse(Files.exists(Compaction.tempFile(fixture.overlay)), "temporary file left after step " + step);
    }
  }

  /** An overlay written before resizing existed (minor 1: no baseSize field) opens as before. */
  @Test
  void anOverlayOfMinorOneOpensAndGrows() throws IOException {
    try (OverlayFile o = fixture.open()) {
      o.write(ByteBuffer.wrap(new byte[] {9}), 5);
    }
    try (FileChannel c = FileChannel.open(fixture.overlay, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer h = ByteBuffer.allocate(OverlayFile.HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
      c.read(h, 0);
      h.putShort(10, (short) 1).putLong(56, 0);
      h.putInt(OverlayFile.HEADER_SIZE - 4, io.hexz.format.Checksums.crc32c(h.array(), 0, OverlayFile.HEADER_SIZE - 4));
      c.write(h.flip(), 0);
    }
    byte[] model = img.clone();
    model[5] = 9;
    try (OverlayFile o = fixture.open()) {
      check(o, model, "minor 1");
      o.resize(400 * PAGE, false);
      check(o, resized(model, 400 * PAGE), "minor 1, grown");
    }
  }

  @Test
  void fullAndThinCommitsAndFlattenCarryTheNewSize() throws IOException {
    Path base = dir.resolve("base.hxz");
    ReadOptions ro = ReadOptions.DEFAULTS;
    for (long size : new long[] {BASE + 20 * PAGE + 3277, 400L * PAGE, 200L * PAGE, 64L * PAGE}) {
      Path ovl = dir.resolve("r" + size + ".ovl");
      byte[] model;
      try (Snapshot s = Hexz.open(base, ro); Overlay o = Overlay.open(ovl, s.disk(), s.header().identity())) {
        o.write(ByteBuffer.wrap(new byte[] {7, 7, 7}), 3 * PAGE);
        long aligned = (size / PAGE) * PAGE;
        o.resize(aligned, true);
        model = resized(img, aligned);
        System.arraycopy(new byte[] {7, 7, 7}, 0, model, 3 * PAGE, 3);
        if (aligned > BASE) {
          o.write(ByteBuffer.wrap(new byte[] {5}), aligned - 1);
          model[(int) aligned - 1] = 5;
        }
      }
      Path full = dir.resolve("full" + size + ".hxz");
      Path thin = dir.resolve("thin" + size + ".hxz");
      Path flat = dir.resolve("flat" + size + ".hxz");
      Hexz.commit(base, ovl, full, false, WriteOptions.builder(), ro);
      Hexz.commit(base, ovl, thin, true, WriteOptions.builder(), ro);
      Hexz.flatten(thin, flat, b -> b, ro);
      for (Path p : new Path[] {full, thin, flat}) {
        try (Snapshot s = Hexz.open(p, ro)) {
          check(s.disk(), model, p.getFileName() + " (size " + size + ")");
        }
        assertTrue(Hexz.verify(p).ok(), p + " verifies");
      }
    }
  }

}
