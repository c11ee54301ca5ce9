package io.hexz.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.hexz.format.BlockKind;
import org.junit.jupiter.api.Test;

/** DedupTable: typed hits, the first payload per key kept, the capacity respected. */
class DedupTableTest {
  @Test
  void returnsWhereAndHowThePayloadIsStored() {
    DedupTable t = new DedupTable(100_000);
    for (long k = 0; k < 20_000; k++) { // past several doublings
      t.put(k * 0x9E3779B97F4A7C15L, 4096 + k, (int) (k % 1_000_000), k % 2 == 0 ? BlockKind.ZSTD : BlockKind.RAW);
    }
    for (long k = 0; k < 20_000; k++) {
      DedupTable.Hit h = t.get(k * 0x9E3779B97F4A7C15L);
      assertEquals(new DedupTable.Hit(4096 + k, (int) (k % 1_000_000), k % 2 == 0 ? BlockKind.ZSTD : BlockKind.RAW), h);
    }
    assertNull(t.get(12345));
  }

  @Test
  void keepsTheFirstPayloadAndStopsAtCapacity() {
    DedupTable t = new DedupTable(2);
    t.put(7, 100, 10, BlockKind.LZ4);
    t.put(7, 200, 20, BlockKind.RAW);
    t.put(8, 300, 30, BlockKind.RAW);
    t.put(9, 400, 40, BlockKind.RAW);
    assertEquals(new DedupTable.Hit(100, 10, BlockKind.LZ4), t.get(7));
    assertEquals(2, t.size());
    assertNull(t.get(9));
  }

  @Test
  void aLengthPastTheSlotsFieldIsRefused() {
    DedupTable t = new DedupTable(10);
    assertThrows(IllegalArgumentException.class, () -> t.put(1, 0, DedupTable.MAX_LENGTH + 1, BlockKind.RAW));
  }
}
