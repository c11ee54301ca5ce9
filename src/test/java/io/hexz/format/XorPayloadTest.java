package io.hexz.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.hexz.testing.Seeds;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The XOR payload header and its shuffle: a header round-trips; every field out of range makes
 * {@link XorPayload#decode} answer null (the reader turns that into a corrupt-block error naming
 * the block); the shuffle is undone exactly for every element width and a tail that is not a
 * whole element.
 */
class XorPayloadTest {
  private static final long SEED = Seeds.random(XorPayloadTest.class);
  private static final int BLOCK = 65536;

  @Test
  void aHeaderRoundTrips() {
    for (BlockKind inner : new BlockKind[] {BlockKind.RAW, BlockKind.LZ4, BlockKind.ZSTD}) {
      XorPayload x = new XorPayload(1L << 40, BLOCK, 1000, 4, inner);
      byte[] b = new byte[XorPayload.HEADER_SIZE + 5];
      x.encode(b);
      assertEquals(x, XorPayload.decode(b, BLOCK));
    }
  }

  @Test
  void everyFieldOutOfRangeIsRefused() {
    XorPayload good = new XorPayload(4096, 100, 50, 8, BlockKind.LZ4);
    assertNull(XorPayload.decode(new byte[XorPayload.HEADER_SIZE - 1], BLOCK), "shorter than a header");
    assertRefused(good, b -> b.putLong(0, -1), "negative base offset");
    assertRefused(good, b -> b.putInt(8, 0), "nothing XORed");
    assertRefused(good, b -> b.putInt(8, -1), "negative XOR length");
    assertRefused(good, b -> b.putInt(8, BLOCK + 1), "XOR length past the block");
    assertRefused(good, b -> b.putInt(12, -1), "negative base length");
    assertRefused(good, b -> b.putInt(12, 101), "base length past the XOR length");
    for (int es : new int[] {0, 3, 5, 16, -1}) {
      assertRefused(good, b -> b.put(16, (byte) es), "element size " + es);
    }
    for (BlockKind k : new BlockKind[] {BlockKind.ZERO, BlockKind.PARENT, BlockKind.XOR}) {
      assertRefused(good, b -> b.put(17, (byte) k.id()), "inner kind " + k);
    }
    assertRefused(good, b -> b.put(17, (byte) 99), "unknown inner kind");
  }

  @ParameterizedTest(name = "element size {0}")
  @ValueSource(ints = {1, 2, 4, 8})
  void unshuffleUndoesShuffle(int es) {
    Random r = new Random(Seeds.derive(SEED, es));
    for (int n : new int[] {0, 1, es - 1, es, 7 * es + es / 2, 4096 + 3}) {
      byte[] src = new byte[n];
      r.nextBytes(src);
      byte[] shuffled = new byte[n];
      XorPayload.shuffle(src, shuffled, n, es);
      byte[] back = new byte[n];
      XorPayload.unshuffle(shuffled, back, n, es);
      assertArrayEquals(src, back, "n=" + n + " " + Seeds.describe(SEED));
    }
  }

  @Test
  void shuffleGroupsTheBytesOfEachPositionAndKeepsTheTail() {
    byte[] src = {1, 2, 3, 4, 5, 6, 7};
    byte[] dst = new byte[7];
    XorPayload.shuffle(src, dst, 7, 2);
    assertArrayEquals(new byte[] {1, 3, 5, 2, 4, 6, 7}, dst);
  }

  private static void assertRefused(XorPayload good, Consumer<ByteBuffer> edit, String what) {
    byte[] b = new byte[XorPayload.HEADER_SIZE];
    good.encode(b);
    edit.accept(ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN));
    assertNull(XorPayload.decode(b, BLOCK), what);
  }
}
