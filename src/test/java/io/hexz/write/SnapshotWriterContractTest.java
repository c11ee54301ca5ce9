package io.hexz.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hexz.Hexz;
import io.hexz.codec.CodecType;
import io.hexz.format.StreamKind;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Misuse of the writer API and invalid options fail at once with a message that states the rule. */
class SnapshotWriterContractTest {
  @TempDir
  Path dir;

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2048, 3072, 4095, 4097, 3 << 12, 2 << 20, -4096, Integer.MIN_VALUE})
  void blockSizesOutsideThePowersOfTwoFrom4KTo1MAreRejected(int bs) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> WriteOptions.builder().blockSize(bs));
    assertTrue(e.getMessage().contains("(" + bs + ")"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(ints = {4096, 8192, 65536, 1 << 20})
  void powersOfTwoFrom4KTo1MAreAccepted(int bs) {
    assertEquals(bs, WriteOptions.builder().blockSize(bs).build().blockSize());
  }

  @Test
  void codecLevelsAreValidatedAtBuild() {
    assertThrows(IllegalArgumentException.class, () -> WriteOptions.builder().codec(CodecType.LZ4).level(18).build());
    assertThrows(IllegalArgumentException.class, () -> WriteOptions.builder().codec(CodecType.LZ4).level(-1).build());
    assertThrows(IllegalArgumentException.class, () -> WriteOptions.builder().codec(CodecType.ZSTD).level(0).build());
    assertThrows(IllegalArgumentException.class, () -> WriteOptions.builder().codec(CodecType.ZSTD).level(99).build());
    assertThrows(IllegalArgumentException.class, () -> WriteOptions.builder().threads(0));
    assertThrows(IllegalArgumentException.class, () -> WriteOptions.builder().dedupCapacity(-1));
    assertEquals(17, WriteOptions.builder().codec(CodecType.LZ4).level(17).build().level());
  }

  @Test
  void copyingZeroParentBlocksIsANoOpEvenAfterAPartialBlock() throws Exception {
    // What a thin overlay commit does when the overlay touched the stream's short last block:
    // write that block, then reference the (zero) remaining parent blocks.
    byte[] parentData = new byte[2 * 4096 + 1808];
    java.util.Arrays.fill(parentData, (byte) 7);
    Path parent = dir.resolve("parent.hxz");
    io.hexz.testing.Snaps.write(parent, io.hexz.testing.Snaps.options(4096, CodecType.LZ4, 0, true).build(),
        parentData);
    byte[] childData = parentData.clone();
    java.util.Arrays.fill(childData, 2 * 4096, childData.length, (byte) 9);
    Path child = dir.resolve("child.hxz");
    try (SnapshotWriter w = Hexz.create(child, io.hexz.testing.Snaps.options(4096, CodecType.LZ4, 0, true)
        .parent(parent).build())) {
      try (SnapshotWriter.StreamSink sink = w.beginStream(StreamKind.DISK)) {
        sink.copyParentBlocks(2);
        sink.write(ByteBuffer.wrap(childData, 2 * 4096, 1808));
        sink.copyParentBlocks(0);
      }
      w.finish();
    }
    try (var s = Hexz.open(child, io.hexz.read.ReadOptions.DEFAULTS)) {
      org.junit.jupiter.api.Assertions.assertArrayEquals(childData, io.hexz.testing.Snaps.readAll(s, 4096));
    }
    assertTrue(Hexz.verify(child).ok());
  }

  @Test
  void streamsAreWrittenOneAtATimeAndOnce() throws Exception {
    Path target = dir.resolve("c.hxz");
    try (SnapshotWriter w = Hexz.create(target, WriteOptions.builder().blockSize(4096).build())) {
      SnapshotWriter.StreamSink sink = w.beginStream(StreamKind.MEMORY);
      assertThrows(IllegalStateException.class, () -> w.beginStream(StreamKind.DISK), "a stream is still open");
      assertThrows(IllegalStateException.class, w::finish, "a stream is still open");
      sink.write(ByteBuffer.wrap(new byte[5000]));
      sink.close();
      sink.close(); // idempotent
      assertThrows(IllegalStateException.class, () -> sink.write(ByteBuffer.allocate(1)));
      assertThrows(IllegalStateException.class, () -> w.beginStream(StreamKind.MEMORY), "already written");
      assertThrows(IllegalStateException.class, w::finish, "a snapshot needs a disk stream");
      w.addBytes(StreamKind.DISK, new byte[] {7});
      w.finish();
    }
    assertTrue(Hexz.verify(target).ok());
    assertEquals(1, Hexz.inspect(target).header().streams().get(StreamKind.DISK).size());
    assertEquals(5000, Hexz.inspect(target).header().streams().get(StreamKind.MEMORY).size());
    try (var s = Files.list(dir)) {
      assertEquals(1, s.count());
    }
  }
}
