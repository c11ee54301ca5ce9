package io.hexz.read;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hexz.codec.Codec;
import io.hexz.codec.CodecType;
import io.hexz.format.BlockKind;
import io.hexz.format.Checksums;
import io.hexz.format.CorruptSnapshotException;
import io.hexz.format.IndexPage;
import io.hexz.format.StreamKind;
import io.hexz.format.XorPayload;
import io.hexz.store.ByteSource;
import io.hexz.testing.QuietHexzLog;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The payload decoder on its own, over a file held in memory and a leaf page built here: stored
 * bytes in, checked block out, and every way the stored bytes or their entry can be wrong is a
 * CorruptSnapshotException naming the stream and block, never data.
 */
@ExtendWith(QuietHexzLog.class)
class PayloadDecoderTest {
  private static final int LEN = 4096;
  private static final long AT = io.hexz.format.Format.HEADER_SIZE; // where the payload lies: past the header
  private static final byte[] CONTENT = content();
  private final BlockCache pool = new BlockCache(1 << 20);

  private static byte[] content() {
    byte[] line = "the quick brown fox jumps over the lazy dog, block 7\n".getBytes(StandardCharsets.US_ASCII);
    byte[] c = new byte[LEN];
    for (int i = 0; i < LEN; i++) {
      c[i] = line[i % line.length];
    }
    return c;
  }

  private static byte[] lz4(byte[] content) {
    Codec lz4 = Codec.shared(CodecType.LZ4);
    byte[] out = new byte[lz4.maxCompressedLength(content.length)];
    int n = lz4.compress(content, 0, content.length, out, 0, content.length - 1);
    assertTrue(n > 0, "the test content compresses");
    return Arrays.copyOf(out, n);
  }

  /** A file of {@code AT} bytes of filler (a header), then {@code payload}, then 50 more. */
  private static byte[] file(byte[] payload) {
    byte[] f = new byte[(int) AT + payload.length + 50];
    Arrays.fill(f, (byte) 0x5A);
    System.arraycopy(payload, 0, f, (int) AT, payload.length);
    return f;
  }

  private static ByteSource source(byte[] file) {
    return new ByteSource() {
      @Override
      public String name() {
        return "mem.hxz";
      }

      @Override
      public long size() {
        return file.length;
      }

      @Override
      public void readFully(ByteBuffer dst, long position) throws IOException {
        if (position + dst.remaining() > file.length) {
          throw new EOFException();
        }
        dst.put(file, (int) position, dst.remaining());
      }

      @Override
      public void close() {}
    };
  }

  /** A one-entry leaf page of block 0 of the disk stream. */
  private static IndexPage leaf(BlockKind k, int stored, long offset, int contentCrc, int payloadCrc, byte[] sha256)
      throws CorruptSnapshotException {
    byte[] page = new IndexPage.Builder(0, StreamKind.DISK, 0).addLeaf(k, stored, offset, contentCrc, payloadCrc,
        sha256).finish();
    return IndexPage.decode("mem.hxz", page, 0, StreamKind.DISK, 0, 1, null);
  }

  private static IndexPage honest(BlockKind k, byte[] payload) throws CorruptSnapshotException {
    return leaf(k, payload.length, AT, Checksums.crc32c(CONTENT, 0, LEN), Checksums.crc32c(payload, 0,
        payload.length), Checksums.sha256().digest(CONTENT));
  }

  private PayloadDecoder decoder(byte[] file, HashCheck check) {
    return new PayloadDecoder(source(file), StreamKind.DISK, 0, file.length, null, pool, check, null);
  }

  private String failure(byte[] file, IndexPage leaf, BlockKind k, HashCheck check) {
    return assertThrows(CorruptSnapshotException.class, () -> decoder(file, check).decode(leaf, 0, 0, k, LEN))
        .getMessage();
  }

  @Test
  void decodesCompressedAndRawPayloads() throws IOException {
    byte[] payload = lz4(CONTENT);
    for (BlockKind k : new BlockKind[] {BlockKind.LZ4, BlockKind.RAW}) {
      byte[] stored = k == BlockKind.RAW ? CONTENT : payload;
      CachedBlock b = decoder(file(stored), HashCheck.OFF).decode(honest(k, stored), 0, 0, k, LEN);
      assertArrayEquals(CONTENT, b.data(), k.toString());
      assertEquals(Checksums.crc32c(CONTENT, 0, LEN), b.crc());
      assertNull(b.sha256(), "no hash is computed unless hashes are checked");
      b.release();
    }
  }

  @Test
  void aCheckedHashIsKeptWithTheBlockAndAnotherHashIsRefused() throws IOException {
    byte[] payload = lz4(CONTENT);
    CachedBlock b = decoder(file(payload), HashCheck.SIGNED).decode(honest(BlockKind.LZ4, payload), 0, 0,
        BlockKind.LZ4, LEN);
    assertArrayEquals(Checksums.sha256().digest(CONTENT), b.sha256());
    b.release();
    IndexPage other = leaf(BlockKind.LZ4, payload.length, AT, Checksums.crc32c(CONTENT, 0, LEN),
        Checksums.crc32c(payload, 0, payload.length), new byte[32]);
    assertEquals("mem.hxz: disk block 0 does not match its signed SHA-256",
        failure(file(payload), other, BlockKind.LZ4, HashCheck.SIGNED));
  }

  @Test
  void aDamagedPayloadIsRefusedBeforeItIsDecoded() throws IOException {
    byte[] payload = lz4(CONTENT);
    byte[] file = file(payload);
    file[(int) AT + payload.length / 2] ^= 0x10;
    String m = failure(file, honest(BlockKind.LZ4, payload), BlockKind.LZ4, HashCheck.OFF);
    assertTrue(m.startsWith("mem.hxz: disk block 0 payload checksum mismatch"), m);
  }

  @Test
  void contentThatIsNotTheEntrysIsRefused() throws IOException {
    byte[] payload = lz4(CONTENT);
    IndexPage wrongCrc = leaf(BlockKind.LZ4, payload.length, AT, Checksums.crc32c(CONTENT, 0, LEN) ^ 1,
        Checksums.crc32c(payload, 0, payload.length), new byte[32]);
    String m = failure(file(payload), wrongCrc, BlockKind.LZ4, HashCheck.OFF);
    assertTrue(m.startsWith("mem.hxz: disk block 0 checksum mismatch (stored"), m);
  }

  @Test
  void impossibleLengthsAndOffsetsAreRefusedBeforeAnythingIsRead() throws IOException {
    byte[] payload = lz4(CONTENT);
    byte[] file = file(payload);
    int payloadCrc = Checksums.crc32c(payload, 0, payload.length);
    int crc = Checksums.crc32c(CONTENT, 0, LEN);
    // A compressed payload as long as the block would have been stored raw.
    assertEquals("mem.hxz: disk block 0 has impossible stored length " + LEN, failure(file,
        leaf(BlockKind.LZ4, LEN, AT, crc, payloadCrc, new byte[32]), BlockKind.LZ4, HashCheck.OFF));
    assertEquals("mem.hxz: disk block 0 has impossible stored length " + payload.length, failure(file,
        leaf(BlockKind.RAW, payload.length, AT, crc, payloadCrc, new byte[32]), BlockKind.RAW, HashCheck.OFF));
    long past = file.length - payload.length + 1;
    assertEquals("mem.hxz: disk block 0 points outside the file (offset " + past + ")", failure(file,
        leaf(BlockKind.LZ4, payload.length, past, crc, payloadCrc, new byte[32]), BlockKind.LZ4, HashCheck.OFF));
  }

  @Test
  void anXorBlockIsTheParentsBytesXoredWithItsPayloadAndNeedsAParent() throws IOException {
    byte[] parent = new byte[2 * LEN];
    for (int i = 0; i < parent.length; i++) {
      parent[i] = (byte) (i * 31 + 7);
    }
    // Inner RAW with element size 1 (the shuffle is then the identity): CONTENT XOR parent[LEN..].
    byte[] payload = new byte[XorPayload.HEADER_SIZE + LEN];
    new XorPayload(LEN, LEN, LEN, 1, BlockKind.RAW).encode(payload);
    for (int i = 0; i < LEN; i++) {
      payload[XorPayload.HEADER_SIZE + i] = (byte) (CONTENT[i] ^ parent[LEN + i]);
    }
    byte[] file = file(payload);
    IndexPage e = honest(BlockKind.XOR, payload);
    PayloadDecoder withParent = new PayloadDecoder(source(file), StreamKind.DISK, 0, file.length, null, pool,
        HashCheck.OFF, device(parent));
    CachedBlock b = withParent.decode(e, 0, 0, BlockKind.XOR, LEN);
    assertArrayEquals(CONTENT, b.data());
    b.release();
    assertEquals("mem.hxz: disk block 0 XORs with parent bytes that do not exist",
        failure(file, e, BlockKind.XOR, HashCheck.OFF));
  }

  private static BlockDevice device(byte[] bytes) {
    return new BlockDevice() {
      @Override
      public long size() {
        return bytes.length;
      }

      @Override
      public int read(ByteBuffer dst, long offset) {
        int n = (int) Math.min(dst.remaining(), bytes.length - offset);
        dst.put(bytes, (int) offset, n);
        return n;
      }

      @Override
      public void close() {}
    };
  }
}
