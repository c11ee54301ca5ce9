package io.hexz.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hexz.testing.Seeds;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Index pages: leaf and inner pages round-trip through build, pack, unpack and decode in both
 * stored forms; a page from the wrong place, a wrong size or a flipped bit is refused with what
 * is wrong; an entry outside the page is an IndexOutOfBoundsException, not another page's bytes.
 */
class IndexPageTest {
  private static final long SEED = Seeds.random(IndexPageTest.class);
  private static final String FILE = "/snap/i.hxz";

  private static byte[] leaf(Random r, int count, boolean repetitive) {
    IndexPage.Builder b = new IndexPage.Builder(0, StreamKind.DISK, 4096);
    for (int i = 0; i < count; i++) {
      byte[] sha = new byte[32];
      if (!repetitive) {
        r.nextBytes(sha);
      }
      BlockKind kind = repetitive ? BlockKind.PARENT : BlockKind.values()[1 + r.nextInt(3)];
      b.addLeaf(kind, repetitive ? 0 : r.nextInt(1 << 20), repetitive ? 0 : 4096 + r.nextInt(1 << 30),
          repetitive ? 0 : r.nextInt(), repetitive ? 0 : r.nextInt(), sha);
    }
    return b.finish();
  }

  @Test
  void aLeafPageRoundTripsEveryField() throws Exception {
    Random r = new Random(SEED);
    byte[][] sha = new byte[3][32];
    IndexPage.Builder b = new IndexPage.Builder(0, StreamKind.MEMORY, 2048);
    for (int i = 0; i < 3; i++) {
      r.nextBytes(sha[i]);
      b.addLeaf(BlockKind.values()[i + 1], 100 + i, 5000L + i, 10 + i, 20 + i, sha[i]);
    }
    assertEquals(3, b.count());
    byte[] page = b.finish();
    assertEquals(Format.pageSize(0, 3), page.length);
    IndexPage p = IndexPage.decode(FILE, page, 0, StreamKind.MEMORY, 2048, 3, null);
    assertEquals(0, p.level());
    assertEquals(3, p.count());
    assertEquals(2048, p.firstBlock());
    assertEquals(page.length, p.byteSize());
    assertEquals(ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN).getInt(page.length - 4), p.crc());
    for (int i = 0; i < 3; i++) {
      assertEquals(BlockKind.values()[i + 1].id(), p.kindId(i));
      assertEquals(100 + i, p.storedLength(i));
      assertEquals(5000L + i, p.offset(i));
      assertEquals(10 + i, p.contentCrc(i));
      assertEquals(20 + i, p.payloadCrc(i));
      assertArrayEquals(sha[i], p.hash(i));
      assertTrue(p.hashEquals(i, sha[i]));
    }
    assertEquals(false, p.hashEquals(0, sha[1]));
    assertArrayEquals(Checksums.sha256().digest(page), p.sha256());
    // The root's CRC as the header records it is accepted.
    IndexPage.decode(FILE, page, 0, StreamKind.MEMORY, 2048, 3, p.crc());
  }

  @Test
  void anInnerPageRoundTripsEveryField() throws Exception {
    IndexPage.Builder b = new IndexPage.Builder(2, StreamKind.DISK, 1 << 20);
    for (int i = 0; i < 5; i++) {
      b.addChild(8192L * (i + 1), 300 + i, -i);
    }
    IndexPage p = IndexPage.unpack(FILE, IndexPage.pack(b.finish()), 2, StreamKind.DISK, 1 << 20, 5, null);
    assertEquals(5, p.count());
    for (int i = 0; i < 5; i++) {
      assertEquals(8192L * (i + 1), p.childOffset(i));
      assertEquals(300 + i, p.childLength(i));
      assertEquals(-i, p.childCrc(i));
    }
  }

  @Test
  void bothStoredFormsUnpack() throws Exception {
    // Repeated PARENT entries compress (form 1).
    byte[] repetitive = leaf(new Random(SEED), Format.LEAF_FANOUT, true);
    assertUnpacks(repetitive, 0, 4096, Format.LEAF_FANOUT, 1);
    // Random children do not (form 0: stored raw).
    Random r = new Random(SEED);
    long first = r.nextLong() | 0x0101010101010101L;
    IndexPage.Builder b = new IndexPage.Builder(1, StreamKind.DISK, first);
    for (int i = 0; i < 4; i++) {
      b.addChild(r.nextLong(), r.nextInt(), r.nextInt());
    }
    assertUnpacks(b.finish(), 1, first, 4, 0);
  }

  private static void assertUnpacks(byte[] raw, int level, long first, int count, int form) throws Exception {
    byte[] stored = IndexPage.pack(raw);
    assertEquals(form, stored[0], "stored form " + Seeds.describe(SEED));
    assertTrue(stored.length <= IndexPage.maxStoredSize(level, count));
    IndexPage p = IndexPage.unpack(FILE, stored, level, StreamKind.DISK, first, count,
        Checksums.crc32c(stored, 0, stored.length));
    assertEquals(count, p.count());
    assertArrayEquals(Checksums.sha256().digest(raw), p.sha256());
  }

  @Test
  void aPageFromAnotherPlaceIsRefusedWithWhatWasFound() {
    byte[] page = leaf(new Random(SEED), 4, false);
    assertNotExpected(page, 1, StreamKind.DISK, 4096, 4, "has length " + page.length + ", expected "
        + Format.pageSize(1, 4));
    assertNotExpected(page, 0, StreamKind.DISK, 4096, 5, "has length " + page.length + ", expected "
        + Format.pageSize(0, 5));
    String found = "is not the page expected here (found level 0, stream 1, block 4096, 4 entries)";
    assertNotExpected(page, 0, StreamKind.MEMORY, 4096, 4, found);
    assertNotExpected(page, 0, StreamKind.DISK, 0, 4, found);
    // Same size, other level: an inner page of 14 entries is as long as a leaf of 4.
    assertEquals(Format.pageSize(0, 4), Format.pageSize(1, 14));
    assertNotExpected(page, 1, StreamKind.DISK, 4096, 14, found);
  }

  @Test
  void everyFlippedBitIsDetected() {
    byte[] page = leaf(new Random(SEED), 3, false);
    for (int bit = 0; bit < page.length * 8; bit++) {
      byte[] b = page.clone();
      b[bit >>> 3] ^= (byte) (1 << (bit & 7));
      assertNotExpected(b, 0, StreamKind.DISK, 4096, 3, "checksum mismatch: damaged index");
    }
  }

  @Test
  void badMagicUnderAGoodChecksumIsRefused() {
    byte[] page = leaf(new Random(SEED), 2, false);
    page[0] ^= 1;
    ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN).putInt(page.length - 4,
        Checksums.crc32c(page, 0, page.length - 4));
    assertNotExpected(page, 0, StreamKind.DISK, 4096, 2, "has bad magic");
  }

  @Test
  void theCrcAParentRecordedMustMatch() {
    byte[] page = leaf(new Random(SEED), 2, false);
    int crc = ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN).getInt(page.length - 4);
    CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class,
        () -> IndexPage.decode(FILE, page, 0, StreamKind.DISK, 4096, 2, crc + 1));
    assertEquals(FILE + ": disk index page (level 0, block 4096) checksum mismatch: damaged index", e.getMessage());
  }

  @Test
  void aDamagedStoredFormIsRefusedBeforeItIsDecompressed() {
    byte[] raw = leaf(new Random(SEED), Format.LEAF_FANOUT, true);
    byte[] stored = IndexPage.pack(raw);
    int count = Format.LEAF_FANOUT;
    assertUnpackRefused(Arrays.copyOf(stored, 7), count, null, "has impossible stored length 7");
    int tooLong = IndexPage.maxStoredSize(0, count) + 1;
    assertUnpackRefused(Arrays.copyOf(stored, tooLong), count, null, "has impossible stored length " + tooLong);
    assertUnpackRefused(stored, count, Checksums.crc32c(stored, 0, stored.length) ^ 1,
        "checksum mismatch: damaged index");
    for (int[] edit : new int[][] {{0, 2}, {1, 1}, {2, 1}, {3, 1}, {4, 0}}) {
      byte[] b = stored.clone();
      b[edit[0]] = (byte) edit[1];
      assertUnpackRefused(b, count, null, "has a damaged envelope");
    }
    byte[] truncated = Arrays.copyOf(stored, stored.length - 1);
    assertUnpackRefused(truncated, count, null, "cannot be decompressed: damaged index");
    byte[] rawForm = new byte[Format.PAGE_ENVELOPE_SIZE + raw.length - 1];
    ByteBuffer.wrap(rawForm).order(ByteOrder.LITTLE_ENDIAN).putInt(4, raw.length);
    assertUnpackRefused(rawForm, count, null, "has length " + (raw.length - 1) + ", expected " + raw.length);
  }

  @Test
  void entriesOutsideThePageAreRefused() throws Exception {
    byte[] page = leaf(new Random(SEED), 2, false);
    IndexPage p = IndexPage.decode(FILE, page, 0, StreamKind.DISK, 4096, 2, null);
    assertEquals("entry 2 of 2", assertThrows(IndexOutOfBoundsException.class, () -> p.offset(2)).getMessage());
    assertEquals("entry -1 of 2", assertThrows(IndexOutOfBoundsException.class, () -> p.kindId(-1)).getMessage());
  }

  @Test
  void buildersRefuseTheWrongEntryKindAndAFullPage() {
    IndexPage.Builder leaf = new IndexPage.Builder(0, StreamKind.DISK, 0);
    assertThrows(IllegalStateException.class, () -> leaf.addChild(4096, 10, 0));
    IndexPage.Builder inner = new IndexPage.Builder(1, StreamKind.DISK, 0);
    assertThrows(IllegalStateException.class, () -> inner.addLeaf(BlockKind.RAW, 1, 4096, 0, 0, new byte[32]));
    for (int i = 0; i < Format.INTERNAL_FANOUT; i++) {
      inner.addChild(4096, 10, 0);
    }
    assertTrue(inner.isFull());
    assertEquals("not an internal page with room",
        assertThrows(IllegalStateException.class, () -> inner.addChild(4096, 10, 0)).getMessage());
  }

  private static void assertNotExpected(byte[] page, int level, StreamKind stream, long first, int count,
      String message) {
    CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class,
        () -> IndexPage.decode(FILE, page, level, stream, first, count, null));
    assertTrue(e.getMessage().startsWith(FILE + ": " + stream + " index page (level " + level + ", block " + first
        + ")"), e.getMessage());
    assertTrue(e.getMessage().contains(message), "got \"" + e.getMessage() + "\", wanted \"" + message + "\" "
        + Seeds.describe(SEED));
  }

  private static void assertUnpackRefused(byte[] stored, int count, Integer crc, String message) {
    CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class,
        () -> IndexPage.unpack(FILE, stored, 0, StreamKind.DISK, 4096, count, crc));
    assertTrue(e.getMessage().contains(message), "got \"" + e.getMessage() + "\", wanted \"" + message + "\"");
  }
}
