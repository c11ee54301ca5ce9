package io.hexz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hexz.codec.CodecType;
import io.hexz.crypto.Signatures;
import io.hexz.format.BadSignatureException;
import io.hexz.format.BlockKind;
import io.hexz.format.Format;
import io.hexz.format.IndexPage;
import io.hexz.format.SnapshotException;
import io.hexz.format.StreamKind;
import io.hexz.read.BlockDevice;
import io.hexz.read.ReadOptions;
import io.hexz.read.Snapshot;
import io.hexz.read.Snapshots;
import io.hexz.read.VerifyReport;
import io.hexz.testing.Crc32cForger;
import io.hexz.testing.Damage;
import io.hexz.testing.Lz4Literals;
import io.hexz.testing.QuietHexzLog;
import io.hexz.testing.Secrets;
import io.hexz.testing.Seeds;
import io.hexz.testing.Snaps;
import io.hexz.testing.TestData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signed snapshots: a signature made by {@link Hexz#sign} opens with the public key; unsigned,
 * foreign-key and tampered signed snapshots are refused at open, and a block whose bytes were
 * changed with its CRCs forged back is refused at read (only the signed SHA-256 can tell).
 */
@ExtendWith(QuietHexzLog.class)
class CryptoSignTest {
  private static final long SEED = Seeds.fixed(CryptoSignTest.class, 0x51_6E_ED_00L);
  private static final KeyPair KEY = Signatures.generate();
  private static final KeyPair OTHER = Signatures.generate();

  @TempDir
  Path dir;


  private static ReadOptions keyed() {
    return ReadOptions.DEFAULTS.withCacheBytes(1 << 20).withPublicKey(KEY.getPublic());
  }

  /** A clear, signed snapshot of incompressible 4 KiB blocks (payload i at 4096 + i * 4096). */
  private Path signed(String name, byte[] disk) throws IOException {
    Path f = dir.resolve(name);
    Snaps.write(f, Snaps.options(4096, CodecType.NONE, 0, false).build(), disk);
    Hexz.sign(f, KEY.getPrivate(), ReadOptions.DEFAULTS);
    return f;
  }

  @Test
  void aSignedSnapshotOpensWithItsKeyAndVerifies() throws Exception {
    byte[] disk = TestData.mixed(300_000 + 5, 4096, new Random(SEED));
    Path f = signed("s.hxz", disk);
    assertTrue(Snapshots.readHeader(f).isSigned());
    assertArrayEquals(Signatures.fingerprint(KEY.getPublic()), Snapshots.readHeader(f).signature().fingerprint());
    try (Snapshot s = Hexz.open(f, keyed())) {
      assertArrayEquals(disk, Snaps.readAll(s.disk(), 50_000));
    }
    VerifyReport r = Hexz.verify(f.toString(), keyed());
    assertTrue(r.ok(), r.problems().toString());
    // Signing leaves no temporary file behind and can be done again (a re-sign replaces it).
    Hexz.sign(f, OTHER.getPrivate(), ReadOptions.DEFAULTS);
    try (Stream<Path> l = Files.list(dir)) {
      assertEquals(1, l.count());
    }
    Hexz.open(f, ReadOptions.DEFAULTS.withPublicKey(OTHER.getPublic())).close();
  }

  @Test
  void unsignedAndForeignKeySnapshotsAreRefused() throws Exception {
    byte[] disk = TestData.mixed(100_000 + 5, 4096, new Random(SEED));
    Path plain = dir.resolve("plain.hxz");
    Snaps.write(plain, Snaps.options(4096, CodecType.LZ4, 0, true).build(), disk);
    BadSignatureException e = assertThrows(BadSignatureException.class, () -> Hexz.open(plain, keyed()));
    assertTrue(e.getMessage().contains("is not signed"), e.getMessage());
    assertFalse(Hexz.verify(plain.toString(), keyed()).ok());
    Path other = dir.resolve("other.hxz");
    Snaps.write(other, Snaps.options(4096, CodecType.LZ4, 0, true).build(), disk);
    Hexz.sign(other, OTHER.getPrivate(), ReadOptions.DEFAULTS);
    e = assertThrows(BadSignatureException.class, () -> Hexz.open(other, keyed()));
    assertTrue(e.getMessage().contains("another key"), e.getMessage());
    assertFalse(Hexz.verify(other.toString(), keyed()).ok());
  }

  @Test
  void aChangedHeaderOrMetadataBreaksTheSignature() throws Exception {
    byte[] disk = TestData.mixed(100_000 + 5, 4096, new Random(SEED));
    Path f = signed("s.hxz", disk);
    // An unused header byte with the CRC fixed: a clear reader does not care, a keyed one must.
    Path bad = Damage.editHeader(f, dir.resolve("h.hxz"), b -> b.put(1000, (byte) 1));
    Hexz.open(bad, ReadOptions.DEFAULTS).close();
    BadSignatureException e = assertThrows(BadSignatureException.class, () -> Hexz.open(bad, keyed()));
    assertTrue(e.getMessage().contains("does not match"), e.getMessage());
    // The signature itself flipped.
    Path sig = Damage.editHeader(f, dir.resolve("g.hxz"), b -> b.put(2048 + 40, (byte) (b.get(2048 + 40) ^ 4)));
    assertThrows(BadSignatureException.class, () -> Hexz.open(sig, keyed()));
    // Any flipped byte is refused with the key (at open, or at the block it hits).
    long n = Files.size(f);
    for (long pos = 0; pos < n; pos += 4099) {
      Path flip = Damage.flipBit(f, dir.resolve("f.hxz"), pos, 5);
      assertFalse(Hexz.verify(flip.toString(), keyed()).ok(), "flip at " + pos);
    }
  }

  @Test
  void aBlockForgedPastItsCrcsIsServedOnlyWithoutTheKey() throws Exception {
    int bs = 4096;
    byte[] disk = TestData.random(10 * bs + 5, new Random(SEED));
    Path f = signed("s.hxz", disk);
    Path bad = Files.write(dir.resolve("forged.hxz"),
        Crc32cForger.forgeRawBlock(Files.readAllBytes(f), Format.HEADER_SIZE + 3 * bs, bs));
    // The control: a clear reader serves the forged block (CRC32C is not meant to stop this).
    try (Snapshot s = Hexz.open(bad, ReadOptions.DEFAULTS)) {
      byte[] got = Snaps.readAll(s.disk(), bs);
      assertFalse(Arrays.equals(disk, got), "the forgery did not change the content");
    }
    try (Snapshot s = Hexz.open(bad, keyed())) {
      BlockDevice d = s.disk();
      for (int blk = 0; blk * bs < disk.length; blk++) {
        byte[] got = new byte[Math.min(bs, disk.length - blk * bs)];
        if (blk == 3) {
          int at = blk * bs;
          IOException e = assertThrows(IOException.class, () -> d.read(ByteBuffer.wrap(got), at));
          assertTrue(e.getMessage().contains("signed SHA-256"), e.getMessage());
        } else {
          d.read(ByteBuffer.wrap(got), (long) blk * bs);
          assertArrayEquals(Arrays.copyOfRange(disk, blk * bs, blk * bs + got.length), got);
        }
      }
    }
    assertFalse(Hexz.verify(bad.toString(), keyed()).ok());
  }

  /**
   * An unsigned clear base of {@code blocks} random 4 KiB blocks (payload i at 4096 + i * 4096) and
   * a signed thin child over it that changed block 7; returns the child's content.
   */
  private static byte[] signedChild(int blocks, Path p0, Path p1) throws IOException {
    int bs = 4096;
    Random rnd = new Random(SEED);
    byte[] base = TestData.random(blocks * bs, rnd);
    byte[] child = base.clone();
    System.arraycopy(TestData.random(bs, rnd), 0, child, 7 * bs, bs);
    Snaps.write(p0, Snaps.options(bs, CodecType.NONE, 0, false).build(), base);
    Snaps.write(p1, Snaps.options(bs, CodecType.LZ4, 0, true).parent(p0).build(), child);
    Hexz.sign(p1, KEY.getPrivate(), ReadOptions.DEFAULTS);
    return child;
  }

  @Test
  void aSignedThinChildChecksItsParentsBlocks() throws Exception {
    int bs = 4096;
    Path p0 = dir.resolve("base.hxz");
    Path p1 = dir.resolve("child.hxz");
    byte[] child = signedChild(12, p0, p1);
    try (Snapshot s = Hexz.open(p1, keyed())) {
      assertArrayEquals(child, Snaps.readAll(s.disk(), 3 * bs));
    }
    // The unsigned parent's block 2, forged past its CRCs: the child's signature covers its hash.
    Files.write(p0, Crc32cForger.forgeRawBlock(Files.readAllBytes(p0), Format.HEADER_SIZE + 2 * bs, bs));
    try (Snapshot s = Hexz.open(p1, keyed())) {
      IOException e = assertThrows(IOException.class, () -> s.disk().read(ByteBuffer.allocate(bs), 2L * bs));
      assertTrue(e.getMessage().contains("signed SHA-256"), e.getMessage());
    } catch (SnapshotException refusedAtOpen) {
      // also fine: refused before any block was served
    }
  }

  /**
   * Points block {@code x} of an unsigned, one-leaf snapshot at block {@code y}'s payload, with
   * y's stored length and CRCs but x's own SHA-256 (which a signed child's root covers): the new
   * leaf is appended and the header re-pointed and its CRC fixed, as anyone can do to a file that
   * is not signed.
   */
  private static void repoint(Path file, int x, int y) throws IOException {
    byte[] f = Files.readAllBytes(file);
    ByteBuffer b = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
    int disk = 128; // the disk StreamDesc
    assertEquals(1, b.get(disk + 1), "a one-leaf index");
    int rootLength = b.getInt(disk + 4);
    int rootOffset = Math.toIntExact(b.getLong(disk + 8));
    int bs = 1 << b.get(20);
    int count = Math.toIntExact((b.getLong(disk + 16) + bs - 1) / bs);
    IndexPage leaf = IndexPage.unpack(file.toString(), Arrays.copyOfRange(f, rootOffset, rootOffset + rootLength), 0,
        StreamKind.DISK, 0, count, b.getInt(disk + 32));
    IndexPage.Builder edited = new IndexPage.Builder(0, StreamKind.DISK, 0);
    for (int i = 0; i < count; i++) {
      int from = i == x ? y : i;
      edited.addLeaf(BlockKind.fromId(leaf.kindId(from)), leaf.storedLength(from), leaf.offset(from),
          leaf.contentCrc(from), leaf.payloadCrc(from), leaf.hash(i));
    }
    byte[] stored = IndexPage.pack(edited.finish());
    byte[] out = Arrays.copyOf(f, f.length + stored.length);
    System.arraycopy(stored, 0, out, f.length, stored.length);
    ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putLong(24, out.length).putInt(disk + 4, stored.length)
        .putLong(disk + 8, f.length).putInt(disk + 32, Crc32cForger.crc(stored, 0, stored.length));
    Damage.recrcHeader(out);
    Files.write(file, out);
  }

  @Test
  void aCachedBlockIsNeverServedForAnEntryWithAnotherHash() throws Exception {
    int bs = 4096;
    Path p0 = dir.resolve("base.hxz");
    Path p1 = dir.resolve("child.hxz");
    byte[] child = signedChild(8, p0, p1);
    // The unsigned parent's block 2 now names block 5's payload and CRCs; its hash is still block 2's,
    // so the child's signature verifies. A load of block 2 fails its hash; a cache hit must too.
    repoint(p0, 2, 5);
    try (Snapshot s = Hexz.open(p1, keyed().withPrefetch(false))) {
      byte[] y = new byte[bs];
      s.disk().read(ByteBuffer.wrap(y), 5L * bs);
      assertArrayEquals(Arrays.copyOfRange(child, 5 * bs, 6 * bs), y);
      byte[] x = new byte[bs];
      IOException e = assertThrows(IOException.class, () -> s.disk().read(ByteBuffer.wrap(x), 2L * bs),
          "block 2 was served block 5's cached bytes");
      assertTrue(e.getMessage().contains("signed SHA-256"), e.getMessage());
    }
  }

  /** The disk stream's one-leaf root page of {@code f}, decoded with where each byte is stored. */
  private static Lz4Literals rootLeaf(byte[] f) {
    ByteBuffer h = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
    int at = Math.toIntExact(h.getLong(128 + 8));
    int rawLength = h.getInt(at + 4);
    return f[at] == 0 ? Lz4Literals.raw(f, at + 8, rawLength)
        : Lz4Literals.decode(f, at + 8, at + h.getInt(128 + 4), rawLength);
  }

  /**
   * Points block {@code x} of the signed one-leaf snapshot {@code f} (edited in place) at block
   * {@code y}'s payload and CRCs, keeping x's SHA-256 (all the signature covers of it), inside the
   * leaf's stored form: same length and shape, its trailer CRC recomputed, and 64 bits of blocks
   * z1 and z2's content CRCs flipped so that the stored page's CRC32C, which the signed header
   * records, stays the same. False when the compressed page does not allow it (a byte to change
   * was encoded as a match, not a literal).
   */
  private static boolean forgeLeaf(byte[] f, int x, int y, int z1, int z2) {
    ByteBuffer h = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
    int rootOffset = Math.toIntExact(h.getLong(128 + 8));
    int rootLength = h.getInt(128 + 4);
    Lz4Literals before = rootLeaf(f);
    byte[] want = before.out.clone();
    int ex = 16 + x * 56;
    System.arraycopy(want, 16 + y * 56 + 8, want, ex + 8, 16); // offset, content CRC, payload CRC
    for (int round = 0; round < 3; round++) {
      Lz4Literals now = rootLeaf(f);
      for (int p = ex + 8; p < ex + 24; p++) {
        if (now.out[p] != want[p] && now.source[p] >= 0) {
          f[now.source[p]] = want[p];
        }
      }
    }
    int n = want.length;
    if (!Arrays.equals(rootLeaf(f).out, 0, n - 4, want, 0, n - 4)) {
      return false;
    }
    int[] patch = new int[8];
    int[] trailer = new int[4];
    for (int k = 0; k < 4; k++) {
      patch[k] = before.source[16 + z1 * 56 + 16 + k];
      patch[4 + k] = before.source[16 + z2 * 56 + 16 + k];
      trailer[k] = before.source[n - 4 + k];
    }
    if (Arrays.stream(patch).anyMatch(i -> i < 0) || Arrays.stream(trailer).anyMatch(i -> i < 0)) {
      return false;
    }
    Crc32cForger.force(f, patch, h.getInt(128 + 32), b -> {
      int crc = Crc32cForger.crc(rootLeaf(b).out, 0, n - 4);
      for (int k = 0; k < 4; k++) {
        b[trailer[k]] = (byte) (crc >>> 8 * k);
      }
      return Crc32cForger.crc(b, rootOffset, rootLength);
    });
    // A patched byte may also be the source of a match that lands elsewhere (a hash byte that
    // happens to equal it): then the forgery changed something signed, and does not count.
    byte[] got = rootLeaf(f).out;
    for (int p = 0; p < n - 4; p++) {
      int c1 = 16 + z1 * 56 + 16;
      int c2 = 16 + z2 * 56 + 16;
      boolean free = p >= c1 && p < c1 + 8 || p >= c2 && p < c2 + 8;
      if (!free && got[p] != want[p]) {
        return false;
      }
    }
    return true;
  }

  @Test
  void aSignedSnapshotsOwnLeafForgedPastItsCrcsCannotNameAnotherCachedBlock() throws Exception {
    int bs = 4096;
    int blocks = 16;
    byte[] disk = TestData.random(blocks * bs, new Random(SEED));
    Path f = signed("s.hxz", disk);
    byte[] good = Files.readAllBytes(f);
    byte[] forged = null;
    int x = 0;
    int y = 0;
    // Blocks 0..3 lend their CRCs as the patch; x and y are any two others that can be forged.
    int[][] patches = {{0, 1}, {2, 3}, {0, 2}, {1, 3}, {0, 3}, {1, 2}};
    for (int i = 4; i < blocks && forged == null; i++) {
      for (int j = 4; j < blocks && forged == null; j++) {
        for (int k = 0; k < patches.length && forged == null && i != j; k++) {
          byte[] b = good.clone();
          if (forgeLeaf(b, i, j, patches[k][0], patches[k][1])) {
            forged = b;
            x = i;
            y = j;
          }
        }
      }
    }
    assertTrue(forged != null, "no pair of blocks can be forged in this leaf; " + Seeds.describe(SEED));
    Path bad = Files.write(dir.resolve("forged.hxz"), forged);
    int bx = x;
    try (Snapshot s = Hexz.open(bad, keyed().withPrefetch(false))) {
      byte[] got = new byte[bs];
      s.disk().read(ByteBuffer.wrap(got), (long) y * bs);
      assertArrayEquals(Arrays.copyOfRange(disk, y * bs, (y + 1) * bs), got);
      IOException e = assertThrows(IOException.class, () -> s.disk().read(ByteBuffer.wrap(got), (long) bx * bs),
          "block " + x + " was served block " + y + "'s cached bytes");
      assertTrue(e.getMessage().contains("signed SHA-256"), e.getMessage());
    }
  }

  @Test
  void encryptedSnapshotsAreSignedAndCheckedWithThePassword() throws Exception {
    byte[] disk = TestData.mixed(200_000 + 5, 4096, new Random(SEED));
    Path f = dir.resolve("es.hxz");
    Snaps.write(f, Secrets.encrypt(Snaps.options(4096, CodecType.ZSTD, 3, true), Secrets.PASSWORD).build(), disk);
    assertThrows(SnapshotException.class, () -> Hexz.sign(f, KEY.getPrivate(), ReadOptions.DEFAULTS));
    Hexz.sign(f, KEY.getPrivate(), Secrets.read(ReadOptions.DEFAULTS, Secrets.PASSWORD));
    // Signing must not break the key check (it excludes the signature block and the SIGNED bit).
    try (Snapshot s = Hexz.open(f, Secrets.read(keyed(), Secrets.PASSWORD))) {
      assertArrayEquals(disk, Snaps.readAll(s.disk(), 65536));
    }
    assertTrue(Hexz.verify(f.toString(), Secrets.read(keyed(), Secrets.PASSWORD)).ok());
    assertThrows(BadSignatureException.class,
        () -> Hexz.open(f, Secrets.read(ReadOptions.DEFAULTS.withPublicKey(OTHER.getPublic()), Secrets.PASSWORD)));
  }
}
