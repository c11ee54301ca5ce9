package io.hexz.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** CRC32C and SHA-256 against published check values; the zero test at every length and offset. */
class ChecksumsTest {
  private static final byte[] CHECK = "123456789".getBytes(StandardCharsets.US_ASCII);

  @Test
  void crc32cMatchesTheStandardCheckValueForArraysAndBuffers() {
    assertEquals(0xE3069283, Checksums.crc32c(CHECK, 0, CHECK.length));
    byte[] padded = new byte[CHECK.length + 4];
    System.arraycopy(CHECK, 0, padded, 2, CHECK.length);
    assertEquals(0xE3069283, Checksums.crc32c(padded, 2, CHECK.length));
    ByteBuffer b = ByteBuffer.wrap(padded, 2, CHECK.length);
    assertEquals(0xE3069283, Checksums.crc32c(b));
    assertEquals(2, b.position(), "the buffer's position is not consumed");
    assertEquals(0, Checksums.crc32c(new byte[0], 0, 0));
  }

  @Test
  void everyFlippedBitChangesTheCrc() {
    int good = Checksums.crc32c(CHECK, 0, CHECK.length);
    for (int bit = 0; bit < CHECK.length * 8; bit++) {
      byte[] b = CHECK.clone();
      b[bit >>> 3] ^= (byte) (1 << (bit & 7));
      assertTrue(Checksums.crc32c(b, 0, b.length) != good, "bit " + bit);
    }
  }

  @Test
  void sha256AndHexMatchTheStandardVector() {
    assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        Checksums.hex(Checksums.sha256().digest("abc".getBytes(StandardCharsets.US_ASCII))));
    assertEquals("00ff0a", Checksums.hex(new byte[] {0, -1, 10}));
  }

  @Test
  void isZeroLooksOnlyInsideItsRangeAtAnyLength() {
    for (int len : new int[] {0, 1, 4096, (1 << 20) + 1, 3 << 20}) {
      byte[] b = new byte[len + 2];
      b[0] = 1;
      b[len + 1] = 1;
      assertTrue(Checksums.isZero(b, 1, len), "length " + len);
      if (len > 0) {
        b[len] = 1;
        assertFalse(Checksums.isZero(b, 1, len), "length " + len + " with its last byte set");
      }
    }
  }
}
