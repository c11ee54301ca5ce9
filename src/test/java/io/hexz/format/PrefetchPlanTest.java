package io.hexz.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Bounds of the two boot-trace formats (their round trips are in BootPlanTest): every length and
 * count read from the bytes is checked before anything is allocated by it, and each refusal
 * names what is wrong.
 */
class PrefetchPlanTest {
  private static final String FILE = "/snap/p.hxz";

  @Test
  void everyMalformedPlanIsRefusedWithWhatIsWrong() {
    assertPlanRefused("!!", "prefetch plan is not base64");
    assertPlanRefused("", "prefetch plan version missing is not 1");
    assertPlanRefused(plan(2), "prefetch plan version 2 is not 1");
    assertPlanRefused(plan(1), "prefetch plan ends inside an entry");
    assertPlanRefused(plan(1, 0x80), "prefetch plan ends inside an entry");
    // A count over the limit is refused before an array of that size exists.
    assertPlanRefused(plan(1, 0x81, 0x80, 0x04), "prefetch plan of 65537 entries (at most 65536)");
    assertPlanRefused(plan(1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F),
        "prefetch plan of -1 entries (at most 65536)");
    assertPlanRefused(plan(1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00),
        "prefetch plan has a varint longer than 10 bytes");
    // One disk entry of delta -1 (zigzag 1): block -1.
    assertPlanRefused(plan(1, 1, 2), "prefetch plan entry 0 names block -1");
    assertPlanRefused(plan(1, 1, 4, 0), "prefetch plan has 1 bytes after its entries");
    assertPlanRefused(plan(1, 2, 4), "prefetch plan ends inside an entry");
  }

  @Test
  void plansRefuseEntriesThatAreNotDiskOrMemoryBlocks() {
    assertEquals("plan entry 0 (manifest block 3) must be a disk or memory block >= 0", assertThrows(
        IllegalArgumentException.class, () -> PrefetchPlan.of(new StreamKind[] {StreamKind.MANIFEST},
            new long[] {3})).getMessage());
    assertThrows(IllegalArgumentException.class, () -> PrefetchPlan.of(new StreamKind[] {StreamKind.DISK},
        new long[] {-1}));
    assertThrows(IllegalArgumentException.class, () -> PrefetchPlan.of(new StreamKind[2], new long[1]));
  }

  @Test
  void everyMalformedTraceIsRefusedWithWhatIsWrong() {
    byte[] good = new BootTrace(4096, new byte[32], List.of(new BootTrace.Entry(StreamKind.DISK, 5, 1))).encode();
    assertTraceRefused(new byte[10], "not a hexz block trace (bad magic)");
    byte[] b = good.clone();
    b[0] = 'h';
    assertTraceRefused(b, "not a hexz block trace (bad magic)");
    assertTraceRefused(edit(good, 8, 2), "block trace version 2 was made by a newer hexz");
    assertTraceRefused(edit(good, 48, 2), "block trace of 72 bytes cannot hold 2 entries");
    assertTraceRefused(edit(good, 48, -1), "block trace of 72 bytes cannot hold 4294967295 entries (at most 1048576)");
    b = good.clone();
    b[60] ^= 1;
    assertTraceRefused(b, "block trace checksum mismatch: damaged trace");
    assertTraceRefused(withCrc(edit(good, 12, 4095)), "block trace block size 4095 is not a power of two");
    assertTraceRefused(withCrc(edit(good, 12, 0)), "block trace block size 0 is not a power of two");
    byte[] manifest = good.clone();
    manifest[52] = (byte) StreamKind.MANIFEST.id();
    assertTraceRefused(withCrc(manifest), "block trace entry 0 names stream 3 block 5");
    byte[] huge = good.clone();
    java.nio.ByteBuffer.wrap(huge).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(60, Long.MAX_VALUE / 4096 + 1);
    assertTraceRefused(withCrc(huge), "block trace entry 0 names stream 1 block " + (Long.MAX_VALUE / 4096 + 1));
  }

  @Test
  void aTraceOverTheLimitIsRefusedWhenEncoding() {
    List<BootTrace.Entry> e = new ArrayList<>();
    for (int i = 0; i <= BootTrace.MAX_ENTRIES; i++) {
      e.add(new BootTrace.Entry(StreamKind.DISK, i, 0));
    }
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new BootTrace(4096, new byte[32], e).encode())
        .getMessage().startsWith("a trace holds at most 1048576 entries"));
  }

  private static String plan(int... bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int b : bytes) {
      out.write(b);
    }
    return Base64.getEncoder().encodeToString(out.toByteArray());
  }

  private static void assertPlanRefused(String text, String message) {
    CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class, () -> PrefetchPlan.decode(FILE, text));
    assertEquals(FILE + ": " + message, e.getMessage());
  }

  private static byte[] edit(byte[] b, int at, int value) {
    byte[] c = b.clone();
    java.nio.ByteBuffer v = java.nio.ByteBuffer.wrap(c).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    if (at == 8) {
      v.putShort(at, (short) value);
    } else {
      v.putInt(at, value);
    }
    return c;
  }

  private static byte[] withCrc(byte[] b) {
    java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(b.length - 4,
        Checksums.crc32c(b, 0, b.length - 4));
    return b;
  }

  private static void assertTraceRefused(byte[] bytes, String message) {
    CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class, () -> BootTrace.decode(FILE, bytes));
    assertTrue(e.getMessage().startsWith(FILE + ": " + message), "got \"" + e.getMessage() + "\"");
  }
}
