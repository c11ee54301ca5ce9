package io.hexz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hexz.codec.CodecType;
import io.hexz.format.CorruptSnapshotException;
import io.hexz.format.Format;
import io.hexz.format.Header;
import io.hexz.format.SnapshotException;
import io.hexz.format.StreamKind;
import io.hexz.format.WrongPasswordException;
import io.hexz.read.BlockDevice;
import io.hexz.read.ReadOptions;
import io.hexz.read.Snapshot;
import io.hexz.read.Snapshots;
import io.hexz.read.VerifyReport;
import io.hexz.testing.Damage;
import io.hexz.testing.QuietHexzLog;
import io.hexz.testing.Secrets;
import io.hexz.testing.Seeds;
import io.hexz.testing.Snaps;
import io.hexz.testing.TestData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Encrypted snapshots: round trips over codec x block size, the wrong password, plaintext
 * markers, and damage aimed at every region (clear header fields, salt, key check, metadata,
 * index, a block's ciphertext and its tag), swapped blocks and blocks spliced in from another
 * snapshot with the same password. The property for damage is the one of {@link CorruptionTest}:
 * a {@link SnapshotException} at open, or exact bytes / an {@link IOException} per block, and
 * verify reports it; never different bytes.
 */
@ExtendWith(QuietHexzLog.class)
class CryptoTest {
  private static final long SEED = Seeds.fixed(CryptoTest.class, 0xC0FFEE_5EEDL);
  private static final String MARKER = "HEXZ-PLAINTEXT-MARKER-7f3a";

  @TempDir
  Path dir;


  private static ReadOptions withPassword(String p) {
    return Secrets.read(ReadOptions.DEFAULTS.withCacheBytes(1 << 20), p);
  }

  /** Content with markers in text, zero runs, repeated blocks and noise. */
  private static byte[] content(int size, int bs, Random rnd) {
    byte[] d = TestData.mixed(size, bs, rnd);
    byte[] m = MARKER.getBytes(StandardCharsets.US_ASCII);
    for (int off = 100; off + m.length < size; off += 3 * bs + 777) {
      System.arraycopy(m, 0, d, off, m.length);
    }
    return d;
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"NONE, 4096", "LZ4, 4096", "ZSTD, 4096", "NONE, 65536", "LZ4, 65536", "ZSTD, 65536",
      "LZ4, 1048576", "ZSTD, 1048576"})
  void roundTripIsByteIdentical(CodecType codec, int bs) throws Exception {
    Random rnd = new Random(Seeds.derive(SEED, codec, bs));
    byte[] disk = content(Math.max(3 * bs + 123, 300_000 + 17), bs, rnd);
    byte[] memory = content(2 * bs + 5, bs, rnd);
    Path f = dir.resolve("enc.hxz");
    Snaps.write(f, Secrets.encrypt(Snaps.options(bs, codec, codec == CodecType.ZSTD ? 3 : 0, true)
        .meta("note", MARKER).source(MARKER), Secrets.PASSWORD).build(), disk, memory, false);
    Header h = Snapshots.readHeader(f);
    assertTrue(h.isEncrypted());
    try (Snapshot s = Hexz.open(f, withPassword(Secrets.PASSWORD))) {
      assertArrayEquals(disk, Snaps.readAll(s.disk(), 100_000));
      assertArrayEquals(memory, Snaps.readAll(s.stream(StreamKind.MEMORY).orElseThrow(), 7777));
      assertEquals(MARKER, s.metadata().user().get("note"));
    }
    VerifyReport r = Hexz.verify(f.toString(), withPassword(Secrets.PASSWORD));
    assertTrue(r.ok(), r.problems().toString());
    byte[] file = Files.readAllBytes(f);
    assertFalse(contains(file, MARKER.getBytes(StandardCharsets.US_ASCII)), "a plaintext marker is in the file");
    // The clear identity is a keyed hash: it must not be the content identity anyone can compute.
    assertFalse(Arrays.equals(TestData.identity(bs, disk, memory), h.identity()), "identity leaks in clear");
  }

  @Test
  void theMarkerIsInAClearSnapshot() throws Exception {
    // The control for the marker check above: without encryption the marker is there.
    Random rnd = new Random(SEED);
    byte[] disk = content(200_000, 4096, rnd);
    Path f = dir.resolve("clear.hxz");
    Snaps.write(f, Snaps.options(4096, CodecType.LZ4, 0, true).meta("note", MARKER).build(), disk);
    assertTrue(contains(Files.readAllBytes(f), MARKER.getBytes(StandardCharsets.US_ASCII)));
  }

  private static boolean contains(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  @Test
  void wrongOrMissingPasswordIsOneCleanError() throws Exception {
    Path f = dir.resolve("enc.hxz");
    byte[] disk = content(100_000, 4096, new Random(SEED));
    Snaps.write(f, Secrets.encrypt(Snaps.options(4096, CodecType.LZ4, 0, true), Secrets.PASSWORD).build(), disk);
    WrongPasswordException e = assertThrows(WrongPasswordException.class,
        () -> Hexz.open(f, withPassword("Correct horse battery staple")));
    assertEquals(f + ": wrong password or damaged header", e.getMessage());
    SnapshotException none = assertThrows(SnapshotException.class, () -> Hexz.open(f, ReadOptions.DEFAULTS));
    assertTrue(none.getMessage().contains("is encrypted"), none.getMessage());
    VerifyReport r = Hexz.verify(f.toString(), withPassword("wrong"));
    assertFalse(r.ok());
    assertEquals(java.util.List.of(f + ": wrong password or damaged header"), r.problems());
    // The header alone (inspect) needs no password.
    assertTrue(Snapshots.readHeader(f).isEncrypted());
  }

  /** A snapshot whose first two disk blocks are incompressible, so their payloads are at known places. */
  private record Known(Path file, byte[] disk, int bs) {
    long payload(int i) {
      return Format.HEADER_SIZE + (long) i * (bs + Format.TAG_SIZE);
    }
  }

  private Known known(String name, String password, long seed) throws IOException {
    int bs = 4096;
    Random rnd = new Random(seed);
    byte[] disk = content(20 * bs + 99, bs, rnd);
    System.arraycopy(TestData.random(2 * bs, rnd), 0, disk, 0, 2 * bs);
    Path f = dir.resolve(name);
    Snaps.write(f, Secrets.encrypt(Snaps.options(bs, CodecType.LZ4, 0, false), password).build(), disk);
    return new Known(f, disk, bs);
  }

  /** Opens and reads all of {@code f}: throws, or returns exactly the written bytes. */
  private static void assertDetected(Path f, byte[] disk, String what) throws IOException {
    VerifyReport r = Hexz.verify(f.toString(), withPassword(Secrets.PASSWORD));
    assertFalse(r.ok(), what + ": verify did not notice");
    Snapshot s;
    try {
      s = Hexz.open(f, withPassword(Secrets.PASSWORD));
    } catch (SnapshotException e) {
      return; // refused at open
    }
    try (s) {
      BlockDevice d = s.disk();
      int bs = s.header().blockSize();
      boolean failed = false;
      for (long off = 0; off < d.size(); off += bs) {
        byte[] got = new byte[(int) Math.min(bs, d.size() - off)];
        try {
          d.read(ByteBuffer.wrap(got), off);
        } catch (IOException e) {
          failed = true;
          continue;
        }
        assertArrayEquals(Arrays.copyOfRange(disk, (int) off, (int) off + got.length), got,
            what + ": wrong bytes at " + off);
      }
      assertTrue(failed, what + ": every block read back although verify found a problem");
    }
  }

  @Test
  void tamperingWithAnyRegionIsDetected() throws Exception {
    Known k = known("k.hxz", Secrets.PASSWORD, SEED);
    Header h = Snapshots.readHeader(k.file());
    long root = h.streams().get(StreamKind.DISK).rootOffset();
    long[][] regions = {
        {12 + 0, 0}, // incompat flags, CRC recomputed: the key check's AAD catches it
        {24, 0}, // fileLength
        {48 + 5, 0}, // identity
        {1536 + 4, 0}, // Argon2 memory
        {1536 + 16 + 7, 0}, // salt
        {1536 + 48 + 3, 0}, // key check ciphertext
        {1536 + 48 + 40, 0}, // key check tag
        {h.metadataOffset() + 2, 1}, // metadata
        {root + 1, 1}, // index root page
        {k.payload(0) + 10, 1}, // a block's ciphertext
        {k.payload(0) + k.bs() + 3, 1}, // its tag
    };
    for (long[] r : regions) {
      Path bad = dir.resolve("bad.hxz");
      if (r[0] < Format.HEADER_SIZE) {
        Damage.editHeader(k.file(), bad, b -> b.put((int) r[0], (byte) (b.get((int) r[0]) ^ 0x10)));
      } else {
        Damage.flipBit(k.file(), bad, r[0], 3);
      }
      assertDetected(bad, k.disk(), "byte " + r[0]);
    }
  }

  @Test
  void flippedHeaderFieldsAreAWrongPasswordOrDamage() throws Exception {
    // Every clear field is authenticated by the key check, even with the CRC fixed up.
    Known k = known("k.hxz", Secrets.PASSWORD, SEED);
    for (int pos : new int[] {21, 22, 32, 40, 44, 60, 128 + 4, 128 + 16, 256, 1000, 1536 + 20}) {
      Path bad = Damage.editHeader(k.file(), dir.resolve("h.hxz"), b -> b.put(pos, (byte) (b.get(pos) ^ 1)));
      SnapshotException e = assertThrows(SnapshotException.class, () -> Hexz.open(bad, withPassword(
          Secrets.PASSWORD)).close(), "header byte " + pos);
      assertTrue(e instanceof WrongPasswordException || e instanceof CorruptSnapshotException, e.toString());
    }
  }

  @Test
  void aFlippedByteAnywhereIsDetected() throws Exception {
    Known k = known("k.hxz", Secrets.PASSWORD, SEED);
    long n = Files.size(k.file());
    Random rnd = new Random(SEED);
    for (long pos = 0; pos < n; pos += 61 + rnd.nextInt(60)) {
      Path bad = Damage.flipBit(k.file(), dir.resolve("f.hxz"), pos, rnd.nextInt(8));
      assertDetected(bad, k.disk(), "flip at " + pos);
    }
  }

  @Test
  void swappedBlocksAreDetected() throws Exception {
    Known k = known("k.hxz", Secrets.PASSWORD, SEED);
    byte[] b = Files.readAllBytes(k.file());
    int len = k.bs() + Format.TAG_SIZE;
    byte[] first = Arrays.copyOfRange(b, (int) k.payload(0), (int) k.payload(0) + len);
    System.arraycopy(b, (int) k.payload(1), b, (int) k.payload(0), len);
    System.arraycopy(first, 0, b, (int) k.payload(1), len);
    Path bad = Files.write(dir.resolve("swapped.hxz"), b);
    assertDetected(bad, k.disk(), "swapped blocks 0 and 1");
  }

  @Test
  void aBlockFromAnotherSnapshotWithTheSamePasswordIsDetected() throws Exception {
    Known a = known("a.hxz", Secrets.PASSWORD, SEED);
    Known b = known("b.hxz", Secrets.PASSWORD, SEED + 1);
    byte[] fa = Files.readAllBytes(a.file());
    byte[] fb = Files.readAllBytes(b.file());
    int len = a.bs() + Format.TAG_SIZE;
    System.arraycopy(fb, (int) b.payload(0), fa, (int) a.payload(0), len);
    Path bad = Files.write(dir.resolve("spliced.hxz"), fa);
    assertDetected(bad, a.disk(), "block 0 from another snapshot");
    // Same content, same password: still different files (random salt), so nothing can be spliced.
    Path c = dir.resolve("c.hxz");
    Snaps.write(c, Secrets.encrypt(Snaps.options(a.bs(), CodecType.LZ4, 0, false), Secrets.PASSWORD).build(),
        a.disk());
    byte[] fc = Files.readAllBytes(c);
    assertNotEquals(ByteBuffer.wrap(fa, 1552, 32), ByteBuffer.wrap(fc, 1552, 32), "salts must differ");
    assertFalse(Arrays.equals(Arrays.copyOfRange(Files.readAllBytes(a.file()), 4096, 4096 + len),
        Arrays.copyOfRange(fc, 4096, 4096 + len)), "same block, same password: the ciphertexts must differ");
  }

  /** An encrypted base (base.hxz) and an encrypted thin child (child.hxz) with 3 blocks changed; returns the child's bytes. */
  private byte[] encryptedChain(int bs, byte[] base) throws IOException {
    byte[] child = base.clone();
    System.arraycopy(TestData.random(3 * bs, new Random(SEED + 7)), 0, child, 5 * bs, 3 * bs);
    Snaps.write(dir.resolve("base.hxz"), Secrets.encrypt(Snaps.options(bs, CodecType.LZ4, 0, true),
        Secrets.PASSWORD).build(), base);
    Snaps.write(dir.resolve("child.hxz"), Secrets.encrypt(Snaps.options(bs, CodecType.ZSTD, 3, true)
        .parent(dir.resolve("base.hxz")).parentReadOptions(withPassword(Secrets.PASSWORD)), Secrets.PASSWORD).build(),
        child);
    return child;
  }

  @Test
  void thinChainsOfEncryptedSnapshotsKeepTheirIdentitiesChecked() throws Exception {
    int bs = 4096;
    byte[] base = content(40 * bs + 7, bs, new Random(SEED));
    byte[] child = encryptedChain(bs, base);
    Path p0 = dir.resolve("base.hxz");
    Path p1 = dir.resolve("child.hxz");
    assertTrue(Snapshots.readHeader(p1).isThin());
    try (Snapshot s = Hexz.open(p1, withPassword(Secrets.PASSWORD))) {
      assertArrayEquals(child, Snaps.readAll(s.disk(), 65536));
      assertEquals(2, Snapshots.chain(s).size());
    }
    assertTrue(Hexz.verify(p1.toString(), withPassword(Secrets.PASSWORD)).ok());
    // A different parent with the same content and password is a different snapshot.
    Snaps.write(p0, Secrets.encrypt(Snaps.options(bs, CodecType.LZ4, 0, true), Secrets.PASSWORD).build(), base);
    SnapshotException e = assertThrows(SnapshotException.class, () -> Hexz.open(p1, withPassword(Secrets.PASSWORD)));
    assertTrue(e.getMessage().contains("not found"), e.getMessage());
  }

  @Test
  void aFlattenedEncryptedChainStaysEncrypted() throws Exception {
    int bs = 4096;
    byte[] child = encryptedChain(bs, content(20 * bs + 7, bs, new Random(SEED)));
    Path p1 = dir.resolve("child.hxz");
    Path flat = dir.resolve("flat.hxz");
    Hexz.flatten(p1, flat, b -> b.kdf(io.hexz.crypto.KdfParams.TESTING), withPassword(Secrets.PASSWORD));
    assertTrue(Snapshots.readHeader(flat).isEncrypted());
    assertFalse(Snapshots.readHeader(flat).isThin());
    try (Snapshot s = Hexz.open(flat, withPassword(Secrets.PASSWORD))) {
      assertArrayEquals(child, Snaps.readAll(s.disk(), 65536));
    }
  }

  @Test
  void theEncryptionBlockIsWhereFormatMdSaysAndBounded() throws Exception {
    Known k = known("k.hxz", Secrets.PASSWORD, SEED);
    ByteBuffer h = ByteBuffer.wrap(Files.readAllBytes(k.file()), 0, 4096).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(Format.INCOMPAT_ENCRYPTED, h.getInt(12) & Format.INCOMPAT_ENCRYPTED);
    assertEquals(1, h.get(1536));
    assertEquals(1, h.get(1537));
    assertEquals(64, h.getInt(1540));
    // An absurd memory cost is refused before any key derivation allocates it.
    Path bad = Damage.editHeader(k.file(), dir.resolve("m.hxz"), b -> b.putInt(1540, Integer.MAX_VALUE));
    CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class, () -> Snapshots.readHeader(bad));
    assertTrue(e.getMessage().contains("Argon2 memory"), e.getMessage());
  }
}
