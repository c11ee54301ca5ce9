package io.hexz.overlay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hexz.read.BlockDevice;
import io.hexz.testing.Seeds;
import io.hexz.testing.Snaps;
import io.hexz.testing.TestData;
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
 * Discard (TRIM, punch-hole, zero-range) on an overlay, model-based: random unaligned writes
 * and discards, flushes and reopens (which replay the log), every read and every extent checked
 * against an in-memory model; a discard stores no pages; an overlay of the older minor version
 * gets zero pages instead of zero records and stays readable.
 */
class OverlayDiscardTest {
  private static final long SEED = Seeds.random(OverlayDiscardTest.class);
  private static final int PAGE = Overlay.PAGE_SIZE;

  @TempDir
  Path dir;

  private OverlayBase fixture;
  private byte[] img;
  private Path ovl;

  @BeforeEach
  void base() throws IOException {
    // Data, zero runs and an odd tail, so discards meet zero and data base blocks and a short last page.
    img = TestData.mixed(300 * PAGE + 1234, 16384, new Random(SEED));
    Arrays.fill(img, 100 * PAGE, 180 * PAGE, (byte) 0);
    fixture = new OverlayBase(dir, img);
    ovl = fixture.overlay;
  }

  @AfterEach
  void close() throws IOException {
    fixture.close();
  }

  private Overlay open() throws IOException {
    return fixture.open();
  }

  /** Every byte, and every extent reported zero, as the model says. */
  private static void check(BlockDevice o, byte[] model, String what) throws IOException {
    assertArrayEquals(model, Snaps.readAll(o, 40_000), what + " " + Seeds.describe(SEED));
    for (long pos = 0; pos < model.length; ) {
      BlockDevice.Extent x = o.extentAt(pos, model.length - pos);
      assertTrue(x.length() > 0, what + ": empty extent at " + pos);
      if (x.zero()) {
        assertTrue(TestData.isZero(model, (int) pos, (int) x.length()),
            what + ": extent [" + pos + ", +" + x.length() + ") reported zero holds data " + Seeds.describe(SEED));
      }
      pos += x.length();
    }
  }

  @Test
  void randomWritesAndDiscardsReadBackAsTheModelAcrossReopens() throws IOException {
    Random rnd = new Random(SEED);
    byte[] model = img.clone();
    Overlay o = open();
    try {
      for (int op = 0; op < 400; op++) {
        int kind = rnd.nextInt(10);
        if (kind < 4) {
          int off = rnd.nextInt(model.length);
          int len = 1 + rnd.nextInt(Math.min(model.length - off, rnd.nextBoolean() ? 100 : 5 * PAGE));
          byte[] w = TestData.mixed(len, 16384, rnd);
          o.write(ByteBuffer.wrap(w), off);
          System.arraycopy(w, 0, model, off, len);
        } else if (kind < 8) {
          int off = rnd.nextInt(model.length);
          int max = model.length - off;
          int len = rnd.nextInt(Math.min(max, rnd.nextBoolean() ? 3 * PAGE : 60 * PAGE) + 1);
          if (rnd.nextInt(20) == 0) {
            off = 0;
            len = model.length; // the whole disk, as a guest's fstrim of an empty file system
          }
          o.discard(off, len);
          Arrays.fill(model, off, off + len, (byte) 0);
        } else if (kind == 8) {
          o.flush();
        } else {
          o.close();
          o = open(); // replays writes and zero records from the log
          check(o, model, "after reopen at op " + op);
        }
      }
      check(o, model, "at the end");
    } finally {
      o.close();
    }
    try (Overlay again = open()) {
      check(again, model, "after the last reopen");
    }
  }

  @Test
  void aDiscardStoresNoPagesAndForgetsWrittenOnes() throws IOException {
    long before;
    try (Overlay o = open()) {
      byte[] junk = new byte[64 * PAGE];
      new Random(SEED).nextBytes(junk);
      o.write(ByteBuffer.wrap(junk), 10 * PAGE);
      o.flush();
      before = Files.size(ovl);
      o.discard(0, o.size()); // everything
      o.flush();
      byte[] zeros = new byte[img.length];
      check(o, zeros, "after discarding everything");
    }
    // One zero record (32 bytes) for the whole disk: nothing of the size of the data.
    assertEquals(before + OverlayFile.RECORD_HEADER, Files.size(ovl));
    try (Overlay o = open()) {
      check(o, new byte[img.length], "reopened");
    }
  }

  @Test
  void anOverlayOfMinorVersionZeroGetsZeroPagesAndStaysReadable() throws IOException {
    try (Overlay o = open()) {
      o.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 5);
    }
    // Make it an overlay as hexz wrote them before zero records: minor 0.
    try (FileChannel c = FileChannel.open(ovl, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer h = ByteBuffer.allocate(OverlayFile.HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
      c.read(h, 0);
      h.putShort(10, (short) 0);
      h.putInt(OverlayFile.HEADER_SIZE - 4, io.hexz.format.Checksums.crc32c(h.array(), 0, OverlayFile.HEADER_SIZE - 4));
      c.write(h.flip(), 0);
    }
    byte[] model = img.clone();
    model[5] = 1;
    model[6] = 2;
    model[7] = 3;
    long before = Files.size(ovl);
    try (Overlay o = open()) {
      o.discard(3 * PAGE, 4 * PAGE);
      Arrays.fill(model, 3 * PAGE, 7 * PAGE, (byte) 0);
      check(o, model, "minor 0, discarded");
    }
    assertEquals(before + OverlayFile.RECORD_HEADER + 4L * PAGE, Files.size(ovl), "zero pages, as a page record");
    try (Overlay o = open()) {
      check(o, model, "minor 0, reopened");
    }
  }
}
