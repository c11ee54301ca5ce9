package io.hexz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hexz.codec.CodecType;
import io.hexz.crypto.Signatures;
import io.hexz.format.BadSignatureException;
import io.hexz.format.Format;
import io.hexz.format.SnapshotException;
import io.hexz.read.BlockDevice;
import io.hexz.read.ReadOptions;
import io.hexz.read.Snapshot;
import io.hexz.read.Snapshots;
import io.hexz.read.VerifyReport;
import io.hexz.testing.Crc32cForger;
import io.hexz.testing.Damage;
import io.hexz.testing.QuietHexzLog;
import io.hexz.testing.Secrets;
import io.hexz.testing.Seeds;
import io.hexz.testing.Snaps;
import io.hexz.testing.TestData;
import java.io.IOException;
import java.nio.ByteBuffer;
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

  /** Changes a RAW block's bytes and forges its CRC32C back, so that CRCs alone cannot tell. */
  private static byte[] forgeBlock(byte[] file, long payload, int bs) {
    byte[] b = file.clone();
    int off = (int) payload;
    int want = Crc32cForger.crc(b, off, bs);
    byte[] evil = "evil bytes served as if signed".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    System.arraycopy(evil, 0, b, off + 100, evil.length);
    Crc32cForger.force(b, off, bs, off + 200, want);
    return b;
  }

  @Test
  void aBlockForgedPastItsCrcsIsServedOnlyWithoutTheKey() throws Exception {
    int bs = 4096;
    byte[] disk = TestData.random(10 * bs + 5, new Random(SEED));
    Path f = signed("s.hxz", disk);
    Path bad = Files.write(dir.resolve("forged.hxz"), forgeBlock(Files.readAllBytes(f), Format.HEADER_SIZE + 3 * bs, bs));
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

  @Test
  void aSignedThinChildChecksItsParentsBlocks() throws Exception {
    int bs = 4096;
    Random rnd = new Random(SEED);
    byte[] base = TestData.random(12 * bs, rnd);
    byte[] child = base.clone();
    System.arraycopy(TestData.random(bs, rnd), 0, child, 7 * bs, bs);
    Path p0 = dir.resolve("base.hxz");
    Snaps.write(p0, Snaps.options(bs, CodecType.NONE, 0, false).build(), base);
    Path p1 = dir.resolve("child.hxz");
    Snaps.write(p1, Snaps.options(bs, CodecType.LZ4, 0, true).parent(p0).build(), child);
    Hexz.sign(p1, KEY.getPrivate(), ReadOptions.DEFAULTS);
    try (Snapshot s = Hexz.open(p1, keyed())) {
      assertArrayEquals(child, Snaps.readAll(s.disk(), 3 * bs));
    }
    // The unsigned parent's block 2, forged past its CRCs: the child's signature covers its hash.
    Files.write(p0, forgeBlock(Files.readAllBytes(p0), Format.HEADER_SIZE + 2 * bs, bs));
    try (Snapshot s = Hexz.open(p1, keyed())) {
      IOException e = assertThrows(IOException.class, () -> s.disk().read(ByteBuffer.allocate(bs), 2L * bs));
      assertTrue(e.getMessage().contains("signed SHA-256"), e.getMessage());
    } catch (SnapshotException refusedAtOpen) {
      // also fine: refused before any block was served
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
