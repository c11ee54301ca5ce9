package io.hexz.overlay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hexz.testing.Seeds;
import io.hexz.testing.Snaps;
import io.hexz.testing.TestData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compaction of an overlay's log: model-based (random writes, discards, compactions, reopens,
 * every byte checked), the file bounded under endless rewrites of one region, writes that race
 * a background compaction, and a crash at every step of a compaction leaving an overlay that
 * reads back every write made before it.
 */
class OverlayCompactionTest {
  private static final long SEED = Seeds.random(OverlayCompactionTest.class);
  private static final int PAGE = Overlay.PAGE_SIZE;

  @TempDir
  Path dir;

  private OverlayBase fixture;
  private byte[] img;
  private Path ovl;

  @BeforeEach
  void base() throws IOException {
    img = TestData.mixed(400 * PAGE + 777, 16384, new Random(SEED));
    Arrays.fill(img, 50 * PAGE, 120 * PAGE, (byte) 0);
    fixture = new OverlayBase(dir, img);
    ovl = fixture.overlay;
  }

  @AfterEach
  void close() throws IOException {
    fixture.close();
  }

  private OverlayFile open() throws IOException {
    return fixture.open();
  }

  private void check(Overlay o, byte[] model, String what) throws IOException {
    assertArrayEquals(model, Snaps.readAll(o, 30_000), what + " " + Seeds.describe(SEED));
  }

  private static void randomOp(Random rnd, Overlay o, byte[] model) throws IOException {
    OverlayBase.randomOp(rnd, o, model, 8 * PAGE);
  }

  @Test
  void randomWritesDiscardsAndCompactionsReadBackAsTheModel() throws IOException {
    Random rnd = new Random(SEED);
    byte[] model = img.clone();
    OverlayFile o = open();
    o.setSlack(Long.MAX_VALUE); // only the explicit compactions below
    try {
      for (int op = 0; op < 300; op++) {
        int k = rnd.nextInt(20);
        if (k == 0) {
          o.compact();
          check(o, model, "after a compaction at op " + op);
        } else if (k == 1) {
          o.close();
          o = open();
          o.setSlack(Long.MAX_VALUE);
          check(o, model, "after a reopen at op " + op);
        } else {
          randomOp(rnd, o, model);
        }
      }
      o.compact();
      check(o, model, "after the last compaction");
    } finally {
      o.close();
    }
    try (Overlay again = open()) {
      check(again, model, "reopened after the last compaction");
    }
    assertFalse(Files.exists(Compaction.tempFile(ovl)), "the compaction's temporary file is gone");
  }

  @Test
  void rewritingOneRegionForeverKeepsTheFileBounded() throws IOException, InterruptedException {
    byte[] model = img.clone();
    Random rnd = new Random(SEED);
    long slack = 256 * 1024;
    long maxSeen = 0;
    try (OverlayFile o = open()) {
      o.setSlack(slack);
      for (int round = 0; round < 300; round++) {
        byte[] w = TestData.random(16 * PAGE, rnd); // the same 64 KiB, over and over
        o.write(ByteBuffer.wrap(w), 10 * PAGE);
        System.arraycopy(w, 0, model, 10 * PAGE, w.length);
        maxSeen = Math.max(maxSeen, Files.size(ovl));
      }
      for (int i = 0; i < 400 && o.logBytes() > 2 * 16 * (PAGE + 16) + slack; i++) {
        Thread.sleep(50); // a background compaction may still be finishing
      }
      check(o, model, "after 300 rewrites");
      // 300 rewrites wrote 19 MiB; writers wait for a compaction past 2 x live + 2 x slack, so
      // the file never held more than that plus one write's record.
      long live = 16L * (PAGE + 16);
      assertTrue(maxSeen <= 4096 + 2 * live + 2 * slack + 16 * (PAGE + 32) + 32,
          "the overlay grew to " + maxSeen + " bytes");
      assertTrue(o.logBytes() <= 2 * live + slack + 16 * (PAGE + 32), "log of " + o.logBytes() + " bytes");
    }
    try (Overlay again = open()) {
      check(again, model, "reopened");
    }
  }

  @Test
  void writesRacingABackgroundCompactionAreKept() throws Exception {
    byte[] model = img.clone();
    Random rnd = new Random(SEED);
    OverlayFile o = open();
    try {
      for (int i = 0; i < 200; i++) {
        randomOp(rnd, o, model);
      }
      AtomicReference<Throwable> failed = new AtomicReference<>();
      Thread t = new Thread(() -> {
        try {
          for (int i = 0; i < 5; i++) {
            o.compact();
          }
        } catch (Throwable e) {
          failed.set(e);
        }
      }, "test-compactor");
      t.start();
      synchronized (model) {
        for (int i = 0; i < 400; i++) {
          randomOp(rnd, o, model);
          if (i % 50 == 0) {
            o.flush();
          }
        }
      }
      t.join();
      assertTrue(failed.get() == null, "compaction failed: " + failed.get());
      check(o, model, "after racing compactions");
    } finally {
      o.close();
    }
    try (Overlay again = open()) {
      check(again, model, "reopened after racing compactions");
    }
  }

  /** A guest's fstrim of a deleted file: the discarded pages' copies go at the next compaction, by itself. */
  @Test
  void discardingWhatWasWrittenShrinksTheLogByItself() throws IOException, InterruptedException {
    try (OverlayFile o = open()) {
      o.setSlack(Long.MAX_VALUE);
      byte[] w = TestData.random(300 * PAGE, new Random(SEED));
      o.write(ByteBuffer.wrap(w), 0);
      long full = o.logBytes();
      assertTrue(o.storedPageCount() == 300, "stored pages: " + o.storedPageCount());
      o.setSlack(64 * 1024);
      o.discard(0, 300L * PAGE); // the trigger runs after the discard
      for (int i = 0; i < 200 && o.logBytes() > 64 * 1024; i++) {
        Thread.sleep(20);
      }
      assertTrue(o.storedPageCount() == 0, "stored pages after the discard: " + o.storedPageCount());
      assertTrue(o.logBytes() < 64 * 1024, "log of " + o.logBytes() + " bytes after discarding " + full);
      byte[] model = img.clone();
      Arrays.fill(model, 0, 300 * PAGE, (byte) 0);
      check(o, model, "after the discard and the compaction");
    }
  }

  /**
   * Writes that land between the catch-up passes of a compaction (hundreds of pages each time,
   * some rewriting pages a pass already copied) are all in the compacted log.
   */
  @Test
  void writesBetweenCatchUpPassesAreAllKept() throws IOException {
    byte[] model = img.clone();
    Random rnd = new Random(SEED);
    OverlayFile o = open();
    o.setSlack(Long.MAX_VALUE);
    for (int i = 0; i < 200; i++) {
      randomOp(rnd, o, model);
    }
    int[] calls = {0};
    o.fault = step -> {
      if (step == 0 && calls[0]++ < 3) {
        java.util.List<Integer> all = new java.util.ArrayList<>();
        for (int p = 0; p < model.length / PAGE; p++) {
          all.add(p);
        }
        java.util.Collections.shuffle(all, rnd);
        for (int page : all.subList(0, 300)) { // 300 pages: more than the final pass under the lock takes
          byte[] w = TestData.random(PAGE, rnd);
          o.write(ByteBuffer.wrap(w), (long) page * PAGE);
          System.arraycopy(w, 0, model, page * PAGE, PAGE);
        }
      }
    };
    o.compact();
    o.fault = step -> { };
    assertTrue(calls[0] >= 3, "catch-up passes ran: " + calls[0]);
    check(o, model, "after a compaction with writes between its catch-up passes");
    o.close();
    try (Overlay again = open()) {
      check(again, model, "reopened");
    }
  }

  /**
   * A crash at each step: after the copy, after the new file is forced, after the rename. The
   * failed compaction is abandoned, the overlay closed and reopened from its file, which must
   * hold every write, and leave no temporary file behind.
   */
  @Test
  void aCrashAtEveryStepOfACompactionLosesNothing() throws IOException {
    for (int step = 1; step <= 3; step++) {
      Files.deleteIfExists(ovl);
      byte[] model = img.clone();
      Random rnd = new Random(SEED + step);
      OverlayFile o = open();
      o.setSlack(Long.MAX_VALUE);
      for (int i = 0; i < 150; i++) {
        randomOp(rnd, o, model);
      }
      o.flush();
      int at = step;
      o.fault = s -> {
        if (s == at) {
          throw new IOException("simulated crash at step " + s);
        }
      };
      assertThrows(IOException.class, o::compact, "step " + step);
      o.fault = s -> { };
      // The process goes on after a failed compaction: more writes land where they should.
      for (int i = 0; i < 20; i++) {
        randomOp(rnd, o, model);
      }
      check(o, model, "still serving after a failed compaction at step " + step);
      o.close();
      try (Overlay again = open()) {
        check(again, model, "reopened after a crash at step " + step);
      }
      assertFalse(Files.exists(Compaction.tempFile(ovl)), "temporary file left after step " + step);
    }
  }
}
