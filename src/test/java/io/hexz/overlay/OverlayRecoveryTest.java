package io.hexz.overlay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hexz.read.Snapshot;
import io.hexz.testing.Seeds;
import io.hexz.testing.Snaps;
import io.hexz.testing.TestData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Overlay creation is exclusive (a second creator never replaces the first one's file) and
 * recovery tells a torn tail, which it cuts, from damage followed by intact records, which it
 * reports instead of silently dropping those records.
 */
class OverlayRecoveryTest {
  private static final long SEED = Seeds.random(OverlayRecoveryTest.class);
  private static final int PAGE = Overlay.PAGE_SIZE;
  /** Bytes of a one-page record. */
  private static final int REC = OverlayFile.RECORD_HEADER + PAGE;

  @TempDir
  Path dir;

  private Snapshot base;
  private OverlayBase fixture;
  private byte[] img;
  private Path ovl;

  @BeforeEach
  void base() throws IOException {
    img = TestData.mixed(64 * PAGE, 16384, new Random(SEED));
    fixture = new OverlayBase(dir, img);
    base = fixture.snapshot;
    ovl = fixture.overlay;
  }

  @AfterEach
  void close() throws IOException {
    fixture.close();
  }

  private Overlay open() throws IOException {
    return fixture.open();
  }

  /** Writes one whole page (one record) to each of {@code pages}, in order, and syncs. */
  private byte[] writePages(int... pages) throws IOException {
    byte[] expected = img.clone();
    Random r = new Random(SEED + 1);
    try (Overlay o = open()) {
      for (int p : pages) {
        byte[] b = new byte[PAGE];
        r.nextBytes(b);
        o.write(ByteBuffer.wrap(b), (long) p * PAGE);
        System.arraycopy(b, 0, expected, p * PAGE, PAGE);
        o.flush();
      }
    }
    return expected;
  }

  private byte[] readAll(Overlay o) throws IOException {
    return Snaps.readAll(o, 50_000);
  }

  private void corrupt(long at) throws IOException {
    try (FileChannel c = FileChannel.open(ovl, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      c.read(b, at);
      b.put(0, (byte) (b.get(0) ^ 0x40)).rewind();
      c.write(b, at);
    }
  }

  @Test
  void damageFollowedByIntactRecordsIsReportedNotDropped() throws IOException {
    writePages(3, 7, 11, 20);
    long size = Files.size(ovl);
    long second = OverlayFile.HEADER_SIZE + REC;
    corrupt(second + OverlayFile.RECORD_HEADER + 100); // a bad sector in record 2's data
    for (boolean readOnly : new boolean[] {false, true}) {
      OverlayException e = assertThrows(OverlayException.class, () -> OverlayFile.open(ovl, base.disk(),
          base.header().identity(), readOnly).close());
      assertTrue(e.getMessage().startsWith(ovl + ": overlay log is damaged at offset " + second + " ("),
          e.getMessage());
      assertTrue(e.getMessage().contains("a valid later record follows at offset " + (second + REC)), e.getMessage());
    }
    assertEquals(size, Files.size(ovl), "nothing may be cut from a damaged log");

    // Damage to a record header in the middle is the same (record 2 repaired, record 3's count hit).
    corrupt(second + OverlayFile.RECORD_HEADER + 100);
    corrupt(second + REC + 5);
    assertThrows(OverlayException.class, () -> open().close());
    assertEquals(size, Files.size(ovl));
  }

  @Test
  void aTornTailIsCutAndEverythingBeforeItSurvives() throws IOException {
    byte[] expected = writePages(3, 7, 11);
    long twoRecords = OverlayFile.HEADER_SIZE + 2 * REC;
    // The third append was interrupted: half of it reached the disk.
    try (FileChannel c = FileChannel.open(ovl, StandardOpenOption.WRITE)) {
      c.truncate(twoRecords + REC / 2);
    }
    System.arraycopy(img, 11 * PAGE, expected, 11 * PAGE, PAGE);
    try (Overlay o = open()) {
      assertArrayEquals(expected, readAll(o));
      assertEquals(2, o.pageCount());
    }
    assertEquals(twoRecords, Files.size(ovl), "the torn record is cut");

    // A tail of garbage that holds no valid record is a torn tail too.
    byte[] junk = new byte[3 * PAGE + 7];
    new Random(SEED + 2).nextBytes(junk);
    Files.write(ovl, junk, StandardOpenOption.APPEND);
    try (Overlay o = open()) {
      assertArrayEquals(expected, readAll(o));
    }
    assertEquals(twoRecords, Files.size(ovl));
  }

  @Test
  void aSecondCreatorNeverReplacesTheOverlay() throws IOException {
    byte[] expected;
    try (Overlay o = open()) {
      Object key = Files.readAttributes(ovl, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
      o.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 5);
      o.flush();
      // What a racing mount does after it too saw no overlay file: it must not swap the file
      // from under the first.
      assertFalse(OverlayFile.create(ovl, base.size(), base.header().identity()));
      assertEquals(key, Files.readAttributes(ovl, java.nio.file.attribute.BasicFileAttributes.class).fileKey());
      OverlayException e = assertThrows(OverlayException.class, () -> open().close());
      assertTrue(e.getMessage().contains("in use"), e.getMessage());
      expected = readAll(o);
    }
    try (Overlay o = open()) {
      assertArrayEquals(expected, readAll(o));
    }
    assertEquals(List.of("base.hxz", "base.ovl"), listing(), "no temporary file is left");
  }

  @Test
  void ofManyRacingCreatorsExactlyOneWrites() throws Exception {
    int n = 8;
    CountDownLatch go = new CountDownLatch(1);
    AtomicInteger opened = new AtomicInteger();
    List<Overlay> winners = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Throwable> other = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Thread t = new Thread(() -> {
        try {
          go.await();
          winners.add(open());
          opened.incrementAndGet();
        } catch (OverlayException e) {
          if (!e.getMessage().contains("in use")) {
            other.add(e);
          }
        } catch (Throwable e) {
          other.add(e);
        }
      }, "hexz-test-creator-" + i);
      threads.add(t);
      t.start();
    }
    go.countDown();
    for (Thread t : threads) {
      t.join();
    }
    try {
      assertEquals(List.of(), other);
      assertEquals(1, opened.get(), "exactly one creator may hold the overlay");
    } finally {
      for (Overlay o : winners) {
        o.close();
      }
    }
  }

  private List<String> listing() throws IOException {
    try (var s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
