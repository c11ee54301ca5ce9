package io.hexz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hexz.codec.CodecType;
import io.hexz.format.CorruptSnapshotException;
import io.hexz.format.TreeManifest;
import io.hexz.read.ReadOptions;
import io.hexz.read.Snapshot;
import io.hexz.read.Snapshots;
import io.hexz.read.Tree;
import io.hexz.store.ByteSource;
import io.hexz.store.ByteSources;
import io.hexz.testing.Damage;
import io.hexz.testing.ForwardingByteSource;
import io.hexz.write.Profile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The manifest: bounded lookups in a huge directory, damage detected per entry, every field checked. */
@Timeout(300)
class TreeManifestTest {
  @TempDir
  Path dir;

  /** Counts the bytes a snapshot reads from its file. */
  private static final class Counting extends ForwardingByteSource {
    final AtomicLong bytes = new AtomicLong();
    final AtomicLong calls = new AtomicLong();

    Counting(ByteSource in) {
      super(in);
    }

    @Override
    public void readFully(ByteBuffer dst, long position) throws IOException {
      bytes.addAndGet(dst.remaining());
      calls.incrementAndGet();
      super.readFully(dst, position);
    }
  }

  @Test
  void lookupInA100kEntryDirectoryReadsAFewBlocks() throws Exception {
    Path src = Files.createDirectories(dir.resolve("src/big"));
    for (int i = 0; i < 100_000; i++) {
      Files.createFile(src.resolve(String.format("entry-%06d", i)));
    }
    Path out = dir.resolve("big.hxz");
    Hexz.build(dir.resolve("src"), out, Profile.GENERIC, b -> b, null);
    long fileSize = Files.size(out);
    Counting c = new Counting(ByteSources.open(out));
    try (Snapshot s = Snapshots.open(c, ReadOptions.UNCACHED.withCacheBytes(4L << 20))) {
      Tree t = s.tree().orElseThrow();
      long before = c.bytes.get();
      long callsBefore = c.calls.get();
      assertTrue(t.resolve("big/entry-077777").isPresent());
      assertTrue(t.resolve("big/entry-100000").isEmpty());
      long read = c.bytes.get() - before;
      long calls = c.calls.get() - callsBefore;
      // Each of ~2 × 17 binary-search probes touches a dirent block and a name block; neighbouring
      // probes share blocks (cached), so a lookup reads O(log n) blocks, never the directory.
      assertTrue(calls <= 40 && read < fileSize / 2, "two lookups read " + read + " of " + fileSize + " bytes in "
          + calls + " reads");
      assertEquals(100_000, t.resolve("big").orElseThrow().size());
    }
  }

  @Test
  void damageInTheManifestFailsOnlyTheEntriesItHolds() throws Exception {
    Path src = Files.createDirectories(dir.resolve("src"));
    Files.createDirectories(src.resolve("a"));
    Files.createDirectories(src.resolve("z"));
    for (int i = 0; i < 2000; i++) {
      Files.write(src.resolve(String.format("a/n%05d", i)), new byte[] {1});
    }
    byte[] longName = new byte[255];
    Arrays.fill(longName, (byte) 'L');
    String ln = new String(longName, StandardCharsets.US_ASCII);
    // z's one name is the last thing in the heap, a block away from the names "a/n00100" is found by.
    Files.write(src.resolve("z").resolve(ln), "x".getBytes(StandardCharsets.US_ASCII));
    Path good = dir.resolve("good.hxz");
    Hexz.build(src, good, Profile.GENERIC, b -> b.codec(CodecType.NONE).blockSize(4096), null);
    byte[] all = Files.readAllBytes(good);
    int at = Damage.indexOf(all, longName);
    assertTrue(at > 0, "the name is stored raw in the heap");
    Path bad = Damage.flipBit(good, dir.resolve("bad.hxz"), at + 100, 3);
    try (Snapshot s = Hexz.open(bad, ReadOptions.DEFAULTS)) {
      Tree t = s.tree().orElseThrow();
      assertTrue(t.resolve("a/n00100").isPresent(), "an entry whose blocks are intact still resolves");
      CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class, () -> t.resolve("z/" + ln));
      assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
    }
    assertTrue(Hexz.verify(bad).problems().size() > 0, "verify reports the damaged block");
  }

  private static TreeManifest.Head head() {
    return new TreeManifest.Head(3, 2, 100, 1000);
  }

  private static ByteBuffer inode(int mode, long size, long ref, int xattrLen, long xattrOff) {
    ByteBuffer b = ByteBuffer.allocate(TreeManifest.INODE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    new TreeManifest.Inode(2, mode, 1, 0, 0, size, 0, 0, xattrLen, xattrOff, ref, 0).encode(b);
    return b.flip();
  }

  @Test
  void everyInodeFieldIsBounded() throws Exception {
    TreeManifest.Head h = head();
    TreeManifest.decodeInode("f", h, 2, inode(TreeManifest.S_IFREG | 0644, 10, 990, 0, 0));
    assertThrows(CorruptSnapshotException.class,
        () -> TreeManifest.decodeInode("f", h, 2, inode(TreeManifest.S_IFREG | 0644, 11, 990, 0, 0)), "past data");
    assertThrows(CorruptSnapshotException.class,
        () -> TreeManifest.decodeInode("f", h, 2, inode(TreeManifest.S_IFREG | 0644, 1, Long.MAX_VALUE, 0, 0)));
    assertThrows(CorruptSnapshotException.class,
        () -> TreeManifest.decodeInode("f", h, 2, inode(TreeManifest.S_IFDIR | 0755, 3, 0, 0, 0)), "dirents");
    assertThrows(CorruptSnapshotException.class,
        () -> TreeManifest.decodeInode("f", h, 2, inode(TreeManifest.S_IFLNK | 0777, 5000, 0, 0, 0)), "target");
    assertThrows(CorruptSnapshotException.class,
        () -> TreeManifest.decodeInode("f", h, 2, inode(TreeManifest.S_IFREG, 0, 0, 50, 60)), "xattrs");
    assertThrows(CorruptSnapshotException.class,
        () -> TreeManifest.decodeInode("f", h, 2, inode(0170000, 0, 0, 0, 0)), "type");
    assertThrows(CorruptSnapshotException.class,
        () -> TreeManifest.decodeInode("f", h, 1, inode(TreeManifest.S_IFREG, 0, 0, 0, 0)), "root must be a dir");
    ByteBuffer d = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    new TreeManifest.Dirent(90, 4, 5, 8).encode(d);
    assertThrows(CorruptSnapshotException.class, () -> TreeManifest.decodeDirent("f", h, 0, d.flip()), "ino");
    ByteBuffer d2 = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    new TreeManifest.Dirent(98, 2, 5, 8).encode(d2);
    assertThrows(CorruptSnapshotException.class, () -> TreeManifest.decodeDirent("f", h, 0, d2.flip()), "name");
    for (String n : new String[] {".", "..", "a/b", ""}) {
      assertTrue(!TreeManifest.isValidName(n.getBytes(StandardCharsets.US_ASCII)), n);
    }
    byte[] head = h.encode();
    head[9] ^= 1;
    assertThrows(CorruptSnapshotException.class, () -> TreeManifest.decodeHead("f", head, 64 + 3 * 64 + 32 + 100, 1000));
    assertEquals(h, TreeManifest.decodeHead("f", h.encode(), 64 + 3 * 64 + 32 + 100, 1000));
    assertThrows(CorruptSnapshotException.class, () -> TreeManifest.decodeHead("f", h.encode(), 64 + 3 * 64 + 32 + 99, 1000));
  }
}
