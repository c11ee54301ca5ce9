package io.hexz.nbd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hexz.read.BlockDevice;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The encoders against bytes written out by hand from the protocol (proto.md), field by field, so
 * that a change of layout shows here before it reaches a client.
 */
class RepliesTest {
  /** The readable bytes of {@code parts}, in hex, without consuming them. */
  private static String hex(ByteBuffer... parts) {
    StringBuilder s = new StringBuilder();
    for (ByteBuffer p : parts) {
      assertEquals(0, p.position(), "a reply is ready to write from its start");
      byte[] b = new byte[p.remaining()];
      p.duplicate().get(b);
      s.append(HexFormat.of().formatHex(b));
    }
    return s.toString();
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  @Test
  void greetingOffersFixedNewstyleWithoutZeroes() {
    assertEquals("4e42444d41474943" + "49484156454f5054" + "0003", hex(Replies.greeting()));
  }

  @Test
  void exportNameReplyHasItsZeroesUnlessTheClientDeclinedThem() {
    String head = "0000000123456789" + "018d";
    assertEquals(head, hex(Replies.exportName(0x1_2345_6789L, 0x18d, true)));
    assertEquals(head + "00".repeat(124), hex(Replies.exportName(0x1_2345_6789L, 0x18d, false)));
  }

  @Test
  void optionRepliesCarryTheOptionTypeAndLength() {
    assertEquals("0003e889045565a9" + "00000007" + "00000001" + "00000000", hex(Replies.option(Nbd.OPT_GO, Nbd.REP_ACK)));
    assertEquals("0003e889045565a9" + "00000003" + "80000003" + "00000002" + "abcd",
        hex(Replies.option(Nbd.OPT_LIST, Nbd.REP_ERR_INVALID, new byte[] {(byte) 0xab, (byte) 0xcd})));
  }

  @Test
  void optionPayloads() {
    assertEquals("00000002" + "6162" + "c3a9", hex(Replies.server("ab", "\u00e9")));
    assertEquals("0000" + "0000000000a00000" + "0103", hex(Replies.infoExport(0xa0_0000L, 0x103)));
    assertEquals("0003" + "00000001" + "00010000" + "02000000", hex(Replies.infoBlockSize(1, 64 * 1024, 32 << 20)));
    assertEquals("0001" + "6e616d65", hex(Replies.infoString(Nbd.INFO_NAME, "name")));
    assertEquals("0002", hex(Replies.infoString(Nbd.INFO_DESCRIPTION, "")));
    assertEquals("00000001" + hex("base:allocation".getBytes(java.nio.charset.StandardCharsets.US_ASCII)),
        hex(Replies.metaContext(1, Nbd.BASE_ALLOCATION)));
  }

  @Test
  void simpleReplies() {
    assertEquals("67446698" + "00000000" + "0102030405060708", hex(Replies.simple(0x0102030405060708L, 0)));
    assertEquals("67446698" + "00000016" + "ffffffffffffffff", hex(Replies.simple(-1, Nbd.EINVAL)));
    assertEquals(hex(Replies.simple(9, Nbd.EIO)), hex(Replies.error(false, 9, Nbd.EIO)));
    assertEquals(hex(Replies.simple(9, 0)), hex(Replies.readHeader(false, 9, 4096, 512)));
  }

  @Test
  void structuredErrorIsOneDoneChunkWithoutMessage() {
    assertEquals("668e33ef" + "0001" + "8001" + "0000000000000009" + "00000006" + "00000005" + "0000",
        hex(Replies.error(true, 9, Nbd.EIO)));
  }

  @Test
  void structuredReadHeaderCountsTheOffsetInItsLength() {
    assertEquals("668e33ef" + "0001" + "0001" + "0000000000000009" + "00000208" + "0000000000001000",
        hex(Replies.readHeader(true, 9, 4096, 512)));
  }

  @Test
  void blockStatusDescribesEachExtentWithItsState() {
    ByteBuffer[] r = Replies.blockStatus(9, Nbd.BASE_ALLOCATION_ID,
        List.of(new BlockDevice.Extent(4096, false), new BlockDevice.Extent(0xFFFF_F000L, true)));
    assertEquals("668e33ef" + "0001" + "0005" + "0000000000000009" + "00000014", hex(r[0]));
    assertEquals("00000001" + "00001000" + "00000000" + "fffff000" + "00000003", hex(r[1]));
    assertEquals("668e33ef00010005" + "0000000000000009" + "00000004" + "00000001",
        hex(Replies.blockStatus(9, Nbd.BASE_ALLOCATION_ID, List.of())));
  }
}
