package io.hexz.overlay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hexz.Hexz;
import io.hexz.codec.CodecType;
import io.hexz.format.Checksums;
import io.hexz.format.Format;
import io.hexz.format.StreamKind;
import io.hexz.read.ReadOptions;
import io.hexz.read.Snapshot;
import io.hexz.read.Snapshots;
import io.hexz.testing.Secrets;
import io.hexz.testing.Seeds;
import io.hexz.testing.Snaps;
import io.hexz.testing.TestData;
import io.hexz.write.SnapshotWriter;
import io.hexz.write.WriteOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A chain that holds an encrypted layer stays encrypted end to end: a thin snapshot over it, its
 * flattened copy, a commit of an overlay over it are encrypted or refused, and a writable overlay
 * (a clear file) over it is refused. Checked for an encrypted parent and for a clear child of an
 * encrypted parent as older versions wrote it.
 */
class EncryptedChainTest {
  private static final long SEED = Seeds.random(EncryptedChainTest.class);
  private static final int BS = 64 << 10;
  private static final ReadOptions RO = Secrets.read(ReadOptions.DEFAULTS.withCacheBytes(8L << 20), Secrets.PASSWORD);

  @TempDir
  Path dir;

  private byte[] img;
  private byte[] img2;
  private Path enc;

  @BeforeEach
  void encryptedParent() throws IOException {
    Random r = new Random(SEED);
    img = TestData.mixed(6 * BS + 123, BS, r);
    img2 = img.clone();
    byte[] changed = TestData.mixed(3000, BS, r);
    System.arraycopy(changed, 0, img2, 2 * BS + 17, changed.length);
    enc = dir.resolve("v1.hxz");
    Snaps.write(enc, Secrets.encrypt(Snaps.options(BS, CodecType.LZ4, 0, true), Secrets.PASSWORD).build(), img);
  }

  private static WriteOptions.Builder clear() {
    return Snaps.options(BS, CodecType.LZ4, 0, true);
  }

  private List<String> listing() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void aThinSnapshotOfAnEncryptedParentIsEncryptedOrRefused() throws IOException {
    List<String> before = listing();
    Path v2 = dir.resolve("v2.hxz");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Snaps.write(v2, clear().parent(enc).parentReadOptions(RO).build(), img2));
    assertTrue(e.getMessage().contains(enc.toString()) && e.getMessage().contains("must be encrypted too"),
        e.getMessage());
    assertEquals(before, listing(), "neither the output nor a temporary file is left");

    Snaps.write(v2, Secrets.encrypt(clear(), Secrets.PASSWORD).parent(enc).parentReadOptions(RO).build(), img2);
    assertTrue(Snapshots.readHeader(v2).isEncrypted());
    // One more layer: a clear grandchild of the encrypted chain is refused too.
    Path v3 = dir.resolve("v3.hxz");
    assertThrows(IllegalArgumentException.class,
        () -> Snaps.write(v3, clear().parent(v2).parentReadOptions(RO).build(), img));
    assertFalse(Files.exists(v3));
  }

  @Test
  void aClearChildOfAnEncryptedParentIsFlattenedEncryptedAndNeverGetsAClearOverlay() throws IOException {
    Path v2 = legacyClearChild();
    try (Snapshot s = Hexz.open(v2, RO)) {
      assertFalse(s.header().isEncrypted(), "the test needs a clear child");
      assertArrayEquals(img2, Snaps.readAll(s, 100_000), "the crafted chain reads back");
    }

    Path flat = dir.resolve("flat.hxz");
    Hexz.flatten(v2, flat, b -> b, RO);
    assertTrue(Snapshots.readHeader(flat).isEncrypted(), "the flattened copy holds the encrypted parent's bytes");
    try (Snapshot s = Hexz.open(flat, RO)) {
      assertArrayEquals(img2, Snaps.readAll(s, 100_000));
    }
    assertFalse(containsClear(flat, img, 2 * BS + 17 + 3000 + 100),
        "no plaintext of the parent may appear in the flattened file");

    Path ovl = dir.resolve("v2.ovl");
    try (Snapshot s = Hexz.open(v2, RO)) {
      OverlayException oe = assertThrows(OverlayException.class, () -> Overlay.open(ovl, s).close());
      assertTrue(oe.getMessage().contains("has the encrypted parent " + dir.resolve("twin.hxz")), oe.getMessage());
      assertFalse(Files.exists(ovl), "no clear overlay file is created");
      // An overlay made by an older version: committing it must not produce a clear snapshot.
      try (Overlay ov = Overlay.open(ovl, s.disk(), s.header().identity())) {
        ov.write(ByteBuffer.wrap(new byte[] {9, 9, 9}), 5 * BS + 10);
      }
    }
    for (boolean thin : new boolean[] {false, true}) {
      Path out = dir.resolve("commit-" + thin + ".hxz");
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Hexz.commit(v2, ovl, out, thin, clear(), RO));
      assertTrue(e.getMessage().contains("encrypted"), e.getMessage());
      assertFalse(Files.exists(out));
    }
  }

  /** True when the 4096 bytes of {@code data} at {@code at} appear verbatim in {@code file}. */
  private static boolean containsClear(Path file, byte[] data, int at) throws IOException {
    byte[] f = Files.readAllBytes(file);
    byte[] needle = java.util.Arrays.copyOfRange(data, at, at + 4096);
    outer:
    for (int i = 0; i + needle.length <= f.length; i++) {
      for (int j = 0; j < 64; j++) {
        if (f[i + j] != needle[j]) {
          continue outer;
        }
      }
      if (java.util.Arrays.equals(f, i, i + needle.length, needle, 0, needle.length)) {
        return true;
      }
    }
    return false;
  }

  /**
   * A clear thin child of the encrypted v1, as hexz wrote before it refused them: built over a
   * clear twin of v1, then pointed at v1 (its recorded parent identity patched, header CRC
   * fixed) and the twin replaced by v1 at the hint path.
   */
  private Path legacyClearChild() throws IOException {
    Path twin = dir.resolve("twin.hxz");
    Snaps.write(twin, clear().build(), img);
    Path v2 = dir.resolve("v2.hxz");
    try (SnapshotWriter w = Hexz.create(v2, clear().parent(twin).build())) {
      w.addBytes(StreamKind.DISK, img2);
      w.finish();
    }
    byte[] from = Snapshots.readHeader(twin).identity();
    byte[] to = Snapshots.readHeader(enc).identity();
    byte[] h = new byte[Format.HEADER_SIZE];
    try (FileChannel c = FileChannel.open(v2, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      c.read(ByteBuffer.wrap(h), 0);
      // parentIdentity is header bytes 80..111 (FORMAT.md). Searching for the bytes instead found
      // the child's own identity at 48 whenever the random change left img2 equal to img.
      int at = 80;
      assertArrayEquals(from, java.util.Arrays.copyOfRange(h, at, at + from.length),
          "the child records its parent's identity at byte 80");
      System.arraycopy(to, 0, h, at, to.length);
      ByteBuffer.wrap(h).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(Format.HEADER_CRC_OFFSET,
          Checksums.crc32c(h, 0, Format.HEADER_CRC_OFFSET));
      c.write(ByteBuffer.wrap(h), 0);
    }
    Files.move(enc, twin, StandardCopyOption.REPLACE_EXISTING);
    return v2;
  }
}
