package io.hexz.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hexz.codec.CodecType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The 4 KiB header: every variant (plain, thin, tree, encrypted, signed) survives encode and
 * decode byte for byte; every field {@link Header#decode} bounds is refused when out of range
 * with a message naming the field and the value; and any flipped bit is reported as damage,
 * never read as a newer format or as a different header.
 */
class HeaderTest {
  private static final String FILE = "/snap/h.hxz";
  private static final long FILE_LEN = 1 << 20;
  private static final int DISK = Format.descriptorOffset(StreamKind.DISK.slot());
  private static final int MEMORY = Format.descriptorOffset(StreamKind.MEMORY.slot());
  private static final int ENC = Format.ENCRYPTION_OFFSET;

  // ---- the variants

  private static Header header(int incompat, byte[] parent, String hint, Map<StreamKind, StreamDescriptor> extra,
      EncryptionInfo enc, SignatureInfo sig) {
    Map<StreamKind, StreamDescriptor> streams = new EnumMap<>(StreamKind.class);
    // 3 blocks and 5 bytes of 64 KiB: one leaf page of 4 entries is the root.
    streams.put(StreamKind.DISK, new StreamDescriptor(StreamKind.DISK, 3 * 65536 + 5, 1, 8192, 200, 12345, 0x1234));
    streams.put(StreamKind.MEMORY, new StreamDescriptor(StreamKind.MEMORY, 0, 0, 0, 0, 0, 0));
    streams.putAll(extra);
    byte[] identity = new byte[32];
    Arrays.fill(identity, (byte) 0x11);
    return new Header(Format.VERSION_MAJOR, Format.VERSION_MINOR, incompat, sig == null ? 0 : Format.COMPAT_SIGNED,
        16, CodecType.LZ4, 0, FILE_LEN, 4096, 100, 0xCAFE, identity, parent, hint, streams, enc, sig);
  }

  static Header plain() {
    return header(0, new byte[32], "", Map.of(), null, null);
  }

  static Header thin() {
    byte[] parent = new byte[32];
    Arrays.fill(parent, (byte) 7);
    return header(Format.INCOMPAT_THIN, parent, "../base-ü.hxz", Map.of(), null, null);
  }

  static Header tree() {
    return header(Format.INCOMPAT_TREE, new byte[32], "", Map.of(StreamKind.MANIFEST,
        new StreamDescriptor(StreamKind.MANIFEST, 1000, 1, 9000, 80, 900, 0x77)), null, null);
  }

  static Header encryptedAndSigned() {
    byte[] salt = new byte[EncryptionInfo.SALT_SIZE];
    Arrays.fill(salt, (byte) 3);
    byte[] check = new byte[EncryptionInfo.KEY_CHECK_SIZE];
    Arrays.fill(check, (byte) 4);
    byte[] fp = new byte[Format.HASH_SIZE];
    Arrays.fill(fp, (byte) 5);
    byte[] sig = new byte[SignatureInfo.SIGNATURE_BYTES];
    Arrays.fill(sig, (byte) 6);
    return header(Format.INCOMPAT_ENCRYPTED, new byte[32], "", Map.of(),
        new EncryptionInfo(65536, 3, 4, salt, check), new SignatureInfo(fp, sig));
  }

  static Stream<Arguments> variants() {
    return Stream.of(Arguments.of("plain", plain()), Arguments.of("thin", thin()), Arguments.of("tree", tree()),
        Arguments.of("encrypted+signed", encryptedAndSigned()));
  }

  // ---- round trips

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void everyVariantSurvivesEncodeAndDecode(String name, Header h) throws Exception {
    byte[] bytes = bytes(h);
    assertEquals(Format.HEADER_SIZE, bytes.length);
    Header back = Header.decode(FILE, ByteBuffer.wrap(bytes), FILE_LEN);
    assertArrayEquals(bytes, bytes(back), name);
    assertEquals(h.streams(), back.streams());
    assertEquals(h.parentHint(), back.parentHint());
    assertArrayEquals(h.identity(), back.identity());
    assertArrayEquals(h.parentIdentity(), back.parentIdentity());
    assertEquals(h.encryption(), back.encryption());
    assertEquals(h.signature(), back.signature());
    assertEquals(List.of(h.isThin(), h.isTree(), h.isEncrypted(), h.isSigned()),
        List.of(back.isThin(), back.isTree(), back.isEncrypted(), back.isSigned()));
    assertEquals(65536, back.blockSize());
    assertEquals(h.isEncrypted() ? Format.TAG_SIZE : 0, back.tagSize());
  }

  @Test
  void decodeReadsFromTheBuffersPositionAndIgnoresBytesAfterTheHeader() throws Exception {
    byte[] h = bytes(plain());
    ByteBuffer b = ByteBuffer.allocate(h.length + 20);
    b.position(7);
    b.put(h).put(new byte[13]);
    b.position(7);
    assertArrayEquals(h, bytes(Header.decode(FILE, b, FILE_LEN)));
  }

  // ---- every bound

  /** One damaged field: which variant, the edit (the CRC is made right again after it), and the result. */
  static Stream<Arguments> damage() {
    return Stream.of(
        bad("bad magic", plain(), b -> b.put(0, (byte) 0x88), CorruptSnapshotException.class,
            "not a hexz snapshot (bad magic)"),
        bad("newer major version", plain(), b -> b.putShort(8, (short) 2), SnapshotFormatTooNewException.class,
            "format version 2.0 was made by a newer hexz (this one reads 1.x)"),
        bad("unknown incompatible flag", plain(), b -> b.putInt(12, 8), SnapshotFormatTooNewException.class,
            "uses incompatible features 0x8: made by a newer hexz"),
        bad("block shift too small", plain(), b -> b.put(20, (byte) 11), CorruptSnapshotException.class,
            "block size 2^11 is outside 4 KiB..1 MiB"),
        bad("block shift too large", plain(), b -> b.put(20, (byte) 21), CorruptSnapshotException.class,
            "block size 2^21 is outside 4 KiB..1 MiB"),
        bad("unknown codec", plain(), b -> b.put(21, (byte) 7), CorruptSnapshotException.class, "unknown codec id 7"),
        bad("file shorter than the header says", plain(), b -> b.putLong(24, FILE_LEN + 1),
            CorruptSnapshotException.class, "file is 1048576 bytes but its header says 1048577 (truncated?)"),
        bad("file longer than the header says", plain(), b -> b.putLong(24, FILE_LEN - 1),
            CorruptSnapshotException.class, "file is 1048576 bytes but its header says 1048575 (trailing garbage?)"),
        bad("metadata length negative", plain(), b -> b.putInt(40, -1), CorruptSnapshotException.class,
            "metadata length 4294967295 exceeds the 1048576-byte limit"),
        bad("metadata length over the limit", plain(), b -> b.putInt(40, Format.MAX_METADATA_SIZE + 1),
            CorruptSnapshotException.class, "metadata length 1048577 exceeds the 1048576-byte limit"),
        bad("metadata length over the sealed limit", encryptedAndSigned(),
            b -> b.putInt(40, Format.MAX_METADATA_SIZE + Format.TAG_SIZE + 1), CorruptSnapshotException.class,
            "metadata length 1048593 exceeds the 1048592-byte limit"),
        bad("metadata inside the header", plain(), b -> b.putLong(32, 100), CorruptSnapshotException.class,
            "metadata at offset 100 length 100 lies outside the file (1048576 bytes): truncated or damaged"),
        bad("metadata past the end", plain(), b -> b.putLong(32, FILE_LEN - 99), CorruptSnapshotException.class,
            "metadata at offset 1048477 length 100 lies outside the file"),
        bad("metadata offset that overflows", plain(), b -> b.putLong(32, Long.MAX_VALUE - 50),
            CorruptSnapshotException.class, "metadata at offset " + (Long.MAX_VALUE - 50) + " length 100 lies outside"),
        bad("parent hint too long", thin(), b -> b.putShort(112, (short) 1025), CorruptSnapshotException.class,
            "parent hint length 1025 exceeds 1024"),
        bad("thin without a parent identity", plain(), b -> b.putInt(12, Format.INCOMPAT_THIN),
            CorruptSnapshotException.class, "thin snapshot without a parent identity"),
        bad("a parent identity without the thin flag", thin(), b -> b.putInt(12, 0), CorruptSnapshotException.class,
            "parent identity set but the thin flag is not"),
        bad("a slot holding another stream", plain(), b -> b.put(DISK, (byte) 2), CorruptSnapshotException.class,
            "stream slot 0 holds kind 2"),
        bad("stream size negative", plain(), b -> b.putLong(DISK + 16, -1), CorruptSnapshotException.class,
            "disk stream size -1 is out of range"),
        bad("stream size over 2^60", plain(), b -> b.putLong(DISK + 16, Format.MAX_STREAM_SIZE + 1),
            CorruptSnapshotException.class, "disk stream size " + (Format.MAX_STREAM_SIZE + 1) + " is out of range"),
        bad("index depth that does not fit the size", plain(), b -> b.put(DISK + 1, (byte) 2),
            CorruptSnapshotException.class, "disk index depth 2 does not match its size (1 expected)"),
        bad("index root shorter than an envelope", plain(), b -> b.putInt(DISK + 4, 7),
            CorruptSnapshotException.class, "disk index root length 7 is wrong"),
        bad("index root longer than its page can be", plain(),
            b -> b.putInt(DISK + 4, IndexPage.maxStoredSize(0, 4) + 1), CorruptSnapshotException.class,
            "disk index root length " + (IndexPage.maxStoredSize(0, 4) + 1) + " is wrong"),
        bad("index root inside the header", plain(), b -> b.putLong(DISK + 8, 0), CorruptSnapshotException.class,
            "disk index root at offset 0 length 200 lies outside the file"),
        bad("index root past the end", plain(), b -> b.putLong(DISK + 8, FILE_LEN - 199),
            CorruptSnapshotException.class, "disk index root at offset " + (FILE_LEN - 199) + " length 200 lies outside"),
        bad("an empty stream naming a root", plain(), b -> b.put(MEMORY, (byte) 2).putInt(MEMORY + 32, 5),
            CorruptSnapshotException.class, "memory stream is empty but names an index root or stored bytes"),
        bad("an empty stream with stored bytes", plain(), b -> b.put(MEMORY, (byte) 2).putLong(MEMORY + 24, 1),
            CorruptSnapshotException.class, "memory stream is empty but names an index root or stored bytes"),
        bad("no disk stream", plain(), b -> b.put(DISK, (byte) 0), CorruptSnapshotException.class,
            "has no disk stream"),
        bad("tree flag without a manifest", plain(), b -> b.putInt(12, Format.INCOMPAT_TREE),
            CorruptSnapshotException.class, "directory snapshot without a manifest stream"),
        bad("manifest without the tree flag", tree(), b -> b.putInt(12, 0), CorruptSnapshotException.class,
            "manifest stream present but the tree flag is not set"),
        bad("unknown key derivation", encryptedAndSigned(), b -> b.put(ENC, (byte) 2),
            SnapshotFormatTooNewException.class, "is encrypted with key derivation 2 and cipher 1"),
        bad("unknown cipher", encryptedAndSigned(), b -> b.put(ENC + 1, (byte) 9),
            SnapshotFormatTooNewException.class, "is encrypted with key derivation 1 and cipher 9"),
        bad("encryption reserved bytes set", encryptedAndSigned(), b -> b.putShort(ENC + 2, (short) 1),
            SnapshotFormatTooNewException.class, "which this hexz does not know (it knows Argon2id + AES-256-GCM)"),
        bad("Argon2 memory too small", encryptedAndSigned(), b -> b.putInt(ENC + 4, 31),
            CorruptSnapshotException.class, "Argon2 memory 31 KiB is outside 32..1048576 KiB: damaged header"),
        bad("Argon2 memory too large", encryptedAndSigned(), b -> b.putInt(ENC + 4, -1),
            CorruptSnapshotException.class, "Argon2 memory 4294967295 KiB is outside 32..1048576 KiB"),
        bad("Argon2 iterations zero", encryptedAndSigned(), b -> b.putInt(ENC + 8, 0),
            CorruptSnapshotException.class, "Argon2 iterations 0 is outside 1..64: damaged header"),
        bad("Argon2 iterations too many", encryptedAndSigned(), b -> b.putInt(ENC + 8, 65),
            CorruptSnapshotException.class, "Argon2 iterations 65 is outside 1..64"),
        bad("Argon2 parallelism zero", encryptedAndSigned(), b -> b.putInt(ENC + 12, 0),
            CorruptSnapshotException.class, "Argon2 parallelism 0 is outside 1..16"),
        bad("Argon2 parallelism too many", encryptedAndSigned(), b -> b.putInt(ENC + 12, 17),
            CorruptSnapshotException.class, "Argon2 parallelism 17 is outside 1..16"),
        bad("zero salt", encryptedAndSigned(), b -> b.put(ENC + 16, new byte[EncryptionInfo.SALT_SIZE]),
            CorruptSnapshotException.class, "encrypted but its salt is zero: damaged header"),
        bad("unknown signature algorithm", encryptedAndSigned(), b -> b.put(Format.SIGNATURE_OFFSET, (byte) 2),
            SnapshotFormatTooNewException.class, "is signed with algorithm 2, which this hexz does not know"));
  }

  private static Arguments bad(String name, Header base, Consumer<ByteBuffer> edit,
      Class<? extends SnapshotException> type, String message) {
    byte[] b = bytes(base);
    edit.accept(le(b));
    fixCrc(b);
    return Arguments.of(name, b, type, message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("damage")
  void everyFieldOutOfRangeIsRefusedWithWhatIsWrong(String name, byte[] bytes, Class<? extends SnapshotException> type,
      String message) {
    SnapshotException e = assertThrows(SnapshotException.class,
        () -> Header.decode(FILE, ByteBuffer.wrap(bytes), FILE_LEN), name);
    assertInstanceOf(type, e, name + ": " + e.getMessage());
    assertTrue(e.getMessage().startsWith(FILE + ": "), e.getMessage());
    assertTrue(e.getMessage().contains(message), name + ": got \"" + e.getMessage() + "\"");
  }

  @Test
  void aBufferShorterThanAHeaderIsNotASnapshot() {
    SnapshotException e = assertThrows(CorruptSnapshotException.class,
        () -> Header.decode(FILE, ByteBuffer.wrap(Arrays.copyOf(bytes(plain()), 4095)), FILE_LEN));
    assertEquals(FILE + ": not a hexz snapshot (only 4095 bytes, a header is 4096)", e.getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void everyFlippedBitIsDamageNeverAnotherHeader(String name, Header h) {
    byte[] good = bytes(h);
    for (int bit = 0; bit < Format.HEADER_SIZE * 8; bit++) {
      byte[] b = good.clone();
      b[bit >>> 3] ^= (byte) (1 << (bit & 7));
      int at = bit;
      SnapshotException e = assertThrows(SnapshotException.class,
          () -> Header.decode(FILE, ByteBuffer.wrap(b), FILE_LEN), () -> name + ": bit " + at + " flipped");
      // A flipped version bit is damage, not "made by a newer hexz".
      assertInstanceOf(CorruptSnapshotException.class, e, name + ": bit " + at + ": " + e.getMessage());
      if (at >= 64) {
        assertTrue(e.getMessage().contains("header checksum mismatch"), e.getMessage());
      }
    }
  }

  // ---- what encode and the constructor refuse

  @Test
  void aParentHintOverTheLimitIsRefusedWhenEncoding() {
    Header h = thin();
    Header tooLong = new Header(h.versionMajor(), h.versionMinor(), h.incompatFlags(), 0, 16, CodecType.LZ4, 0,
        FILE_LEN, 4096, 100, 0, h.identity(), h.parentIdentity(), "é".repeat(513), h.streams());
    assertEquals("parent path hint is 1026 bytes, at most 1024 allowed",
        assertThrows(IllegalArgumentException.class, tooLong::encode).getMessage());
  }

  @Test
  void flagsAndTheirBlocksGoTogether() {
    Header e = encryptedAndSigned();
    assertEquals("the ENCRYPTED flag and the encryption block go together", assertThrows(
        IllegalArgumentException.class, () -> e.withEncryption(null)).getMessage());
    assertEquals("the SIGNED flag and the signature block go together", assertThrows(IllegalArgumentException.class,
        () -> new Header(1, 0, 0, Format.COMPAT_SIGNED, 16, CodecType.LZ4, 0, FILE_LEN, 4096, 100, 0,
            new byte[32], new byte[32], "", e.streams())).getMessage());
  }

  @Test
  void identitiesAreCopiedInAndOut() {
    byte[] id = new byte[32];
    Header h = new Header(1, 0, 0, 0, 16, CodecType.LZ4, 0, FILE_LEN, 4096, 100, 0, id, new byte[32], "",
        plain().streams());
    id[0] = 1;
    h.identity()[1] = 1;
    assertArrayEquals(new byte[32], h.identity(), "the header's identity changed from outside");
  }

  @Test
  void checkRangeRefusesEveryWayOut() throws Exception {
    Header.checkRange(FILE, "x", 4096, 0, 4096);
    Header.checkRange(FILE, "x", 4096, 10, 4106);
    for (long[] r : new long[][] {{4095, 1}, {4096, -1}, {4097, 0}, {4096, 11}, {Long.MAX_VALUE, 1}}) {
      CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class,
          () -> Header.checkRange(FILE, "x", r[0], r[1], r[0] == 4097 ? 4096 : 4106));
      assertTrue(e.getMessage().contains("x at offset " + r[0] + " length " + r[1] + " lies outside the file"),
          e.getMessage());
    }
  }

  // ---- helpers

  private static byte[] bytes(Header h) {
    ByteBuffer b = h.encode();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  private static ByteBuffer le(byte[] b) {
    return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static void fixCrc(byte[] b) {
    le(b).putInt(Format.HEADER_CRC_OFFSET, Checksums.crc32c(b, 0, Format.HEADER_CRC_OFFSET));
  }
}
