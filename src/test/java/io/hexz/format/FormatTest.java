package io.hexz.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hexz.codec.CodecType;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The format's small pieces: index geometry, descriptor placement, the ids of streams and block
 * kinds (they are on disk: they must never move), and the content identity.
 */
class FormatTest {
  @Test
  void indexDepthAndEntryCoverageFollowTheFanout() {
    assertEquals(0, Format.indexDepth(0));
    assertEquals(1, Format.indexDepth(1));
    assertEquals(1, Format.indexDepth(Format.LEAF_FANOUT));
    assertEquals(2, Format.indexDepth(Format.LEAF_FANOUT + 1));
    assertEquals(2, Format.indexDepth((long) Format.LEAF_FANOUT * Format.INTERNAL_FANOUT));
    assertEquals(3, Format.indexDepth((long) Format.LEAF_FANOUT * Format.INTERNAL_FANOUT + 1));
    // The largest stream at the smallest block still fits the deepest index.
    assertTrue(Format.indexDepth(Format.MAX_STREAM_SIZE >> Format.MIN_BLOCK_SHIFT) <= Format.MAX_INDEX_DEPTH);
    assertEquals(1, Format.blocksPerEntry(0));
    assertEquals(Format.LEAF_FANOUT, Format.blocksPerEntry(1));
    assertEquals((long) Format.LEAF_FANOUT * Format.INTERNAL_FANOUT, Format.blocksPerEntry(2));
    assertEquals(Format.PAGE_HEADER_SIZE + 3 * Format.LEAF_ENTRY_SIZE + Format.PAGE_TRAILER_SIZE,
        Format.pageSize(0, 3));
    assertEquals(Format.PAGE_HEADER_SIZE + 3 * Format.INTERNAL_ENTRY_SIZE + Format.PAGE_TRAILER_SIZE,
        Format.pageSize(1, 3));
    assertEquals(4, new StreamDescriptor(StreamKind.DISK, 3 * 4096 + 1, 1, 4096, 80, 0, 0).blockCount(4096));
    assertEquals(0, new StreamDescriptor(StreamKind.DISK, 0, 0, 0, 0, 0, 0).blockCount(4096));
  }

  @Test
  void descriptorsSitInTheirTablesInsideTheHeader() {
    assertEquals(List.of(128, 176, 1280), List.of(Format.descriptorOffset(0), Format.descriptorOffset(1),
        Format.descriptorOffset(2)));
    // Neither table runs into what follows it.
    assertTrue(Format.descriptorOffset(1) + Format.STREAM_DESCRIPTOR_SIZE <= Format.PARENT_HINT_OFFSET);
    assertTrue(Format.descriptorOffset(2) + Format.STREAM_DESCRIPTOR_SIZE <= Format.ENCRYPTION_OFFSET);
    assertTrue(Format.PARENT_HINT_OFFSET + Format.PARENT_HINT_MAX <= Format.TREE_STREAM_TABLE_OFFSET);
  }

  @Test
  void streamAndBlockKindIdsAreStable() {
    assertEquals(List.of(1, 2, 3), List.of(StreamKind.DISK.id(), StreamKind.MEMORY.id(), StreamKind.MANIFEST.id()));
    for (StreamKind k : StreamKind.values()) {
      assertSame(k, StreamKind.fromId(k.id()));
      assertSame(k, StreamKind.parse(" " + k.toString().toUpperCase(java.util.Locale.ROOT)));
      assertEquals(k.id() - 1, k.slot());
    }
    assertNull(StreamKind.fromId(0));
    assertEquals("unknown stream 'swap' (expected disk, memory or manifest)",
        assertThrows(IllegalArgumentException.class, () -> StreamKind.parse("swap")).getMessage());
    assertEquals(List.of(0, 1, 2, 3, 4, 5), java.util.Arrays.stream(BlockKind.values()).map(BlockKind::id).toList());
    for (BlockKind k : BlockKind.values()) {
      assertSame(k, BlockKind.fromId(k.id()));
    }
    assertNull(BlockKind.fromId(6));
    assertFalse(BlockKind.ZERO.hasPayload());
    assertFalse(BlockKind.PARENT.hasPayload());
    assertTrue(BlockKind.XOR.hasPayload());
    assertSame(BlockKind.RAW, BlockKind.of(CodecType.NONE));
    assertSame(BlockKind.LZ4, BlockKind.of(CodecType.LZ4));
    assertSame(BlockKind.ZSTD, BlockKind.of(CodecType.ZSTD));
    assertEquals("zstd", BlockKind.ZSTD.toString());
  }

  @Test
  void identityIgnoresPartOrderAndChangesWithEveryInput() {
    Identity.StreamHasher h = new Identity.StreamHasher();
    byte[] blockHash = new byte[32];
    blockHash[0] = 9;
    h.block(blockHash, 0);
    byte[] disk = h.finish();
    byte[] memory = Checksums.sha256().digest(new byte[] {1});
    Identity.StreamPart d = new Identity.StreamPart(StreamKind.DISK, 4096, disk);
    Identity.StreamPart m = new Identity.StreamPart(StreamKind.MEMORY, 100, memory);
    byte[] id = Identity.compute(4096, List.of(d, m));
    assertArrayEquals(id, Identity.compute(4096, List.of(m, d)));
    assertFalse(java.util.Arrays.equals(id, Identity.compute(8192, List.of(d, m))), "block size");
    assertFalse(java.util.Arrays.equals(id, Identity.compute(4096, List.of(d))), "a stream left out");
    assertFalse(java.util.Arrays.equals(id, Identity.compute(4096,
        List.of(new Identity.StreamPart(StreamKind.DISK, 4097, disk), m))), "a stream's size");
    assertFalse(java.util.Arrays.equals(id, Identity.compute(4096,
        List.of(new Identity.StreamPart(StreamKind.MEMORY, 4096, disk), new Identity.StreamPart(StreamKind.DISK,
            100, memory)))), "streams swapped");
  }
}
