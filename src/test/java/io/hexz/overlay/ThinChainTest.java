package io.hexz.overlay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hexz.Hexz;
import io.hexz.format.ParentException;
import io.hexz.format.SnapshotException;
import io.hexz.format.StreamKind;
import io.hexz.read.Diff;
import io.hexz.read.ReadOptions;
import io.hexz.read.Snapshot;
import io.hexz.write.SnapshotWriter;
import io.hexz.write.WriteOptions;
import io.hexz.write.WriteStats;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Overlays merged into full and thin snapshots, chains, flatten, diff, and their failures. */
class ThinChainTest {
  private static final ReadOptions RO = ReadOptions.DEFAULTS.withCacheBytes(8L << 20);

  @TempDir
  Path dir;

  private Path build(String name, byte[] data, Path parent, int blockSize) throws IOException {
    Path p = dir.resolve(name);
    WriteOptions.Builder b = WriteOptions.builder().blockSize(blockSize);
    if (parent != null) {
      b.parent(parent);
    }
    try (SnapshotWriter w = Hexz.create(p, b.build())) {
      w.addBytes(StreamKind.DISK, data);
      w.finish();
    }
    return p;
  }

  private static byte[] readAll(Path p, ReadOptions ro) throws IOException {
    try (Snapshot s = Hexz.open(p, ro)) {
      byte[] out = new byte[(int) s.size()];
      ByteBuffer bb = ByteBuffer.wrap(out);
      while (bb.hasRemaining()) {
        s.read(bb, bb.position());
      }
      return out;
    }
  }

  private static byte[] image(Random r, int size) {
    byte[] b = new byte[size];
    for (int i = 0; i < size; i += 4096) {
      if (r.nextInt(4) != 0) { // a quarter of the pages stay zero, like a real disk
        byte[] page = new byte[4096];
        r.nextBytes(page);
        System.arraycopy(page, 0, b, i, Math.min(4096, size - i));
      }
    }
    return b;
  }

  @Test
  void anOverlayOverAnEncryptedBaseIsNotCommittedInClear() throws IOException {
    byte[] img = image(new Random(7), 512 * 1024 + 3);
    Path base = dir.resolve("enc.hxz");
    io.hexz.testing.Snaps.write(base, io.hexz.testing.Secrets.encrypt(
        io.hexz.testing.Snaps.options(64 << 10, io.hexz.codec.CodecType.LZ4, 0, true), io.hexz.testing.Secrets.PASSWORD)
        .build(), img);
    ReadOptions ro = io.hexz.testing.Secrets.read(RO, io.hexz.testing.Secrets.PASSWORD);
    Path ovl = dir.resolve("enc.ovl");
    try (Snapshot s = Hexz.open(base, ro); Overlay ov = Overlay.open(ovl, s.disk(), s.header().identity())) {
      ov.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 4096);
      ov.flush();
    }
    for (boolean thin : new boolean[] {false, true}) {
      Path out = dir.resolve("clear-" + thin + ".hxz");
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Hexz.commit(base, ovl, out, thin, WriteOptions.builder(), ro));
      assertTrue(e.getMessage().contains("is encrypted"), e.getMessage());
      assertTrue(Files.notExists(out), "no output file is left behind");
    }
  }

  @Test
  void overlayCommitsFullAndThinReadBackTheWrittenImage() throws IOException {
    long seed = System.nanoTime();
    System.out.println("ThinChainTest.overlayCommits seed " + seed);
    Random r = new Random(seed);
    byte[] img = image(r, 3 * 1024 * 1024 + 777);
    Path base = build("base.hxz", img, null, 64 << 10);
    byte[] expect = img.clone();
    Path ovl = dir.resolve("a.ovl");
    try (Snapshot s = Hexz.open(base, RO); Overlay ov = Overlay.open(ovl, s.disk(), s.header().identity())) {
      // Writes land in the first half only, so the second half's blocks must come from the base.
      int half = expect.length / 2;
      for (int i = 0; i < 200; i++) {
        int off = r.nextInt(half);
        int len = 1 + r.nextInt(Math.min(20000, half - off));
        byte[] w = new byte[len];
        r.nextBytes(w);
        ov.write(ByteBuffer.wrap(w), off);
        System.arraycopy(w, 0, expect, off, len);
      }
      ov.flush();
    }
    Path full = dir.resolve("full.hxz");
    Path thin = dir.resolve("thin.hxz");
    WriteStats fs = Hexz.commit(base, ovl, full, false, WriteOptions.builder(), RO);
    WriteStats ts = Hexz.commit(base, ovl, thin, true, WriteOptions.builder(), RO);
    assertArrayEquals(expect, readAll(full, RO));
    assertArrayEquals(expect, readAll(thin, RO));
    assertEquals(0, fs.parentBlocks());
    assertTrue(ts.parentBlocks() > 0, "a thin commit references unchanged blocks");
    assertTrue(Files.size(thin) < Files.size(full));
    assertTrue(Hexz.verify(thin).ok());
    // Full and thin have the same content, hence the same identity.
    assertArrayEquals(Hexz.inspect(full).header().identity(), Hexz.inspect(thin).header().identity());
    // diff base→thin reports exactly the bytes that differ.
    List<long[]> ranges = new ArrayList<>();
    Diff.Summary sum = Hexz.diff(base, thin, StreamKind.DISK, (o, l) -> ranges.add(new long[] {o, l}), RO);
    assertEquals(exactRanges(img, expect), ranges.stream().map(a -> a[0] + "+" + a[1]).toList());
    assertEquals(0, Hexz.diff(full, thin, StreamKind.DISK, (o, l) -> { }, RO).ranges());
    assertTrue(sum.changedBytes() > 0);
  }

  private static List<String> exactRanges(byte[] a, byte[] b) {
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < a.length) {
      if (a[i] == b[i]) {
        i++;
        continue;
      }
      int j = i;
      while (j < a.length && a[j] != b[j]) {
        j++;
      }
      out.add(i + "+" + (j - i));
      i = j;
    }
    return out;
  }

  /** Rebuilding an unchanged image against its snapshot gives a thin child with the parent's identity. */
  @Test
  void aThinSnapshotOfUnchangedContentOpensOverItsParent() throws IOException {
    byte[] img = image(new Random(11), 300 * 1024 + 5);
    Path base = build("same-base.hxz", img, null, 32 << 10);
    Path thin = build("same-thin.hxz", img, base, 32 << 10);
    assertArrayEquals(Hexz.inspect(base).header().identity(), Hexz.inspect(thin).header().identity());
    assertArrayEquals(img, readAll(thin, RO));
    assertTrue(Hexz.verify(thin).ok());
  }

  @Test
  void chainOfSixVersionsReadsBackEveryVersionAndFlattens() throws IOException {
    long seed = System.nanoTime();
    System.out.println("ThinChainTest.chain seed " + seed);
    Random r = new Random(seed);
    byte[] cur = image(r, 4 * 1024 * 1024);
    List<byte[]> versions = new ArrayList<>();
    List<Path> files = new ArrayList<>();
    Path prev = null;
    for (int v = 1; v <= 6; v++) {
      if (v > 1) {
        cur = cur.clone();
        for (int k = 0; k < 5; k++) {
          int off = r.nextInt(cur.length - 5000);
          byte[] w = new byte[1 + r.nextInt(5000)];
          r.nextBytes(w);
          System.arraycopy(w, 0, cur, off, w.length);
        }
      }
      prev = build("v" + v + ".hxz", cur, prev, 32 << 10);
      versions.add(cur);
      files.add(prev);
    }
    for (int v = 0; v < 6; v++) {
      assertArrayEquals(versions.get(v), readAll(files.get(v), RO), "version " + (v + 1));
    }
    assertEquals(5, Hexz.inspect(files.get(5)).parents().size());
    assertTrue(Files.size(files.get(5)) < Files.size(files.get(0)) / 10, "the last thin version is < 10% of v1");
    Path flat = dir.resolve("flat.hxz");
    Hexz.flatten(files.get(5), flat, b -> b, RO);
    assertTrue(!Hexz.inspect(flat).header().isThin());
    assertArrayEquals(versions.get(5), readAll(flat, RO));
    assertTrue(Hexz.verify(files.get(5)).ok());
  }

  @Test
  void missingSubstitutedAndSearchedParents() throws IOException {
    Random r = new Random(7);
    byte[] a = image(r, 1 << 20);
    byte[] b = a.clone();
    b[12345] ^= 1;
    Path base = build("base.hxz", a, null, 64 << 10);
    Path thin = build("thin.hxz", b, base, 64 << 10);
    Path moved = Files.createDirectories(dir.resolve("elsewhere")).resolve("base.hxz");
    Files.move(base, moved);
    ParentException missing = assertThrows(ParentException.class, () -> readAll(thin, RO));
    assertTrue(missing.getMessage().contains("base.hxz") && missing.getMessage().contains("missing"),
        missing.getMessage());
    // Found through a search directory.
    assertArrayEquals(b, readAll(thin, RO.withParentDirs(List.of(moved.getParent()))));
    // A different snapshot under the parent's name is refused, never read.
    build("base.hxz", b, null, 64 << 10);
    ParentException other = assertThrows(ParentException.class, () -> readAll(thin, RO));
    assertTrue(other.getMessage().contains("a different snapshot"), other.getMessage());
  }

  @Test
  void overlayOfAnotherBaseAndTruncatedThinAreCleanErrors() throws IOException {
    Random r = new Random(9);
    byte[] a = image(r, 1 << 20);
    Path base = build("base.hxz", a, null, 64 << 10);
    Path other = build("other.hxz", image(r, 1 << 20), null, 64 << 10);
    Path ovl = dir.resolve("o.ovl");
    try (Snapshot s = Hexz.open(base, RO); Overlay ov = Overlay.open(ovl, s.disk(), s.header().identity())) {
      ov.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 100);
      ov.flush();
    }
    OverlayException e = assertThrows(OverlayException.class,
        () -> Hexz.commit(other, ovl, dir.resolve("x.hxz"), true, WriteOptions.builder(), RO));
    assertTrue(e.getMessage().contains("o.ovl"), e.getMessage());
    assertTrue(!Files.exists(dir.resolve("x.hxz")));

    Path thin = dir.resolve("t.hxz");
    Hexz.commit(base, ovl, thin, true, WriteOptions.builder(), RO);
    byte[] bytes = Files.readAllBytes(thin);
    for (int cut : new int[] {10, 4095, 4096, bytes.length / 2, bytes.length - 1}) {
      Path t = dir.resolve("trunc-" + cut + ".hxz");
      Files.write(t, java.util.Arrays.copyOf(bytes, cut));
      assertThrows(SnapshotException.class, () -> readAll(t, RO), "truncated at " + cut);
    }
  }

  @Test
  void overlayInUseByAMountIsRefusedForCommit() throws IOException {
    Path base = build("base.hxz", image(new Random(3), 1 << 20), null, 64 << 10);
    Path ovl = dir.resolve("busy.ovl");
    try (Snapshot s = Hexz.open(base, RO); Overlay ov = Overlay.open(ovl, s.disk(), s.header().identity())) {
      ov.write(ByteBuffer.wrap(new byte[] {9}), 0);
      // A live writer holds the lock (in another process this is the mount; in-process the same).
      OverlayException e = assertThrows(OverlayException.class,
          () -> Hexz.commit(base, ovl, dir.resolve("c.hxz"), false, WriteOptions.builder(), RO));
      assertTrue(e.getMessage().contains("in use"), e.getMessage());
    }
  }
}
