package io.hexz.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.hexz.Hexz;
import io.hexz.format.StreamKind;
import io.hexz.format.TreeManifest.Inode;
import io.hexz.fuzz.Mutator.Span;
import io.hexz.read.Snapshot;
import io.hexz.read.Tree;
import io.hexz.testing.QuietHexzLog;
import io.hexz.testing.Snaps;
import io.hexz.testing.TestData;
import io.hexz.write.Profile;
import io.hexz.write.SnapshotWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fuzzes directory snapshots and their manifest, two ways. Raw: byte edits of the snapshot file
 * (manifest slot, pages, payloads), after which the tree read through {@code tree()} (stat,
 * list, lookup, readlink, xattrs, every file's content) must equal the original or fail with an
 * IOException naming the file. Re-stored: edits of the decoded manifest (its header, inodes,
 * dirents, heap; usually with the manifest header CRC recomputed) written into a new, correctly
 * checksummed snapshot, as a hostile writer would: the reader must then answer every call with
 * an IOException or with data consistent with what the manifest says (a file's bytes are the
 * disk stream's at its recorded range), stay bounded on loops the manifest may now contain, and
 * extract must do the same.
 */
@ExtendWith(QuietHexzLog.class)
class TreeManifestFuzzTest {
  private static Path dir;
  private static byte[] good;
  private static byte[] disk;
  private static byte[] manifest;
  private static List<String> described;
  private static List<Span> manifestFocus;
  private static Harness harness;

  /** Entries a walk visits at most: a re-stored manifest may describe a loop or a huge fan-out. */
  private static final int MAX_ENTRIES = 2000;

  @BeforeAll
  static void setUp() throws Exception {
    dir = Harness.tempDir("tree");
    Path src = Files.createDirectories(dir.resolve("src"));
    Random rnd = new Random(9);
    Files.createDirectories(src.resolve("a/b/c"));
    Files.createDirectories(src.resolve("empty"));
    Files.write(src.resolve("empty-file"), new byte[0]);
    Files.write(src.resolve("a/text.txt"), TestData.text(5000, rnd));
    Files.write(src.resolve("a/b/noise.bin"), TestData.random(9000, rnd));
    Files.write(src.resolve("a/b/c/copy.bin"), Files.readAllBytes(src.resolve("a/b/noise.bin")));
    for (int i = 0; i < 30; i++) {
      Files.write(src.resolve("a/f" + i), ("file " + i % 7).getBytes(StandardCharsets.US_ASCII));
    }
    Files.createSymbolicLink(src.resolve("link"), Path.of("a/text.txt"));
    Files.createLink(src.resolve("hard"), src.resolve("a/f1"));
    Files.getFileAttributeView(src.resolve("a/text.txt"), UserDefinedFileAttributeView.class)
        .write("comment", ByteBuffer.wrap("hi".getBytes(StandardCharsets.US_ASCII)));
    Path snap = dir.resolve("good.hxz");
    Hexz.build(src, snap, Profile.GENERIC, b -> b.blockSize(4096).created(Snaps.CREATED).threads(1), null);
    good = Files.readAllBytes(snap);
    try (Snapshot s = Hexz.open(snap, Images.OPTIONS)) {
      disk = Snaps.readAll(s.disk(), 1 << 16);
      manifest = Snaps.readAll(s.stream(StreamKind.MANIFEST).orElseThrow(), 1 << 16);
      described = describe(s.tree().orElseThrow(), false);
    }
    ByteBuffer m = Mutator.le(manifest);
    long inodes = m.getLong(8);
    long dirents = m.getLong(16);
    int direntsAt = (int) (64 + inodes * 64);
    int heapAt = (int) (direntsAt + dirents * 16);
    manifestFocus = List.of(new Span("manifest header", 0, 64), new Span("inodes", 64, (int) inodes * 64),
        new Span("dirents", direntsAt, (int) dirents * 16), new Span("heap", heapAt, manifest.length - heapAt));
    harness = new Harness("tree", "in.hxz");
  }

  @AfterAll
  static void tearDown() throws Exception {
    harness.finish(dir);
  }

  @FuzzTest(maxDuration = "30s")
  void tree(FuzzedDataProvider d) throws Exception {
    Path in = dir.resolve("in.hxz");
    if (d.consumeBoolean()) {
      byte[] f = Mutator.mutate(d, good, List.of(new Span("tree slot", 1280, 48), new Span("header", 0, 4096),
          new Span("body", 4096, good.length - 4096)), good.length);
      if (d.consumeInt(0, 3) != 0) {
        Mutator.recrcHeader(f);
      }
      Files.write(in, f);
      harness.check("raw: " + Images.describe(good, f), () -> {
        try (Snapshot s = Hexz.open(in, Images.OPTIONS)) {
          List<String> got = describe(s.tree().orElseThrow(() -> new AssertionError("no tree")), false);
          if (!got.equals(described)) {
            throw new AssertionError("WRONG TREE: " + firstDifference(described, got));
          }
        }
      });
      return;
    }
    byte[] m = Mutator.mutate(d, manifest, manifestFocus, manifest.length, disk.length, 64, 16, 1, 2, 4096, 0x41ed,
        0x81a4, 0xa1ff);
    if (d.consumeInt(0, 3) != 0 && m.length >= 64) {
      Mutator.le(m).putInt(60, Mutator.crc(m, 0, 60));
    }
    boolean extract = d.consumeInt(0, 3) == 0;
    try (SnapshotWriter w = Hexz.create(in, Images.options(io.hexz.codec.CodecType.LZ4).build())) {
      w.addBytes(StreamKind.DISK, disk);
      w.addBytes(StreamKind.MANIFEST, m);
      w.finish();
    }
    Path out = dir.resolve("extracted");
    harness.check("re-stored manifest: " + Images.describe(manifest, m), () -> {
      try (Snapshot s = Hexz.open(in, Images.OPTIONS)) {
        describe(s.tree().orElseThrow(() -> new AssertionError("no tree")), true);
        if (extract) {
          try {
            Hexz.extract(s, List.of(), out, warning -> { });
          } finally {
            Harness.deleteTree(out);
          }
        }
      }
    });
  }

  /**
   * Every entry reachable from the root, breadth first, as one line each (path bytes, stat,
   * link target, xattrs, content hash); bounded by {@link #MAX_ENTRIES} and by not entering a
   * directory inode twice. With {@code consistent}, each file's content must be the disk
   * stream's bytes at the range its inode records.
   */
  static List<String> describe(Tree t, boolean consistent) throws IOException {
    List<String> out = new ArrayList<>();
    Set<Long> seen = new HashSet<>();
    ArrayDeque<Object[]> todo = new ArrayDeque<>();
    todo.add(new Object[] {"", t.root()});
    while (!todo.isEmpty() && out.size() < MAX_ENTRIES) {
      Object[] next = todo.poll();
      String path = (String) next[0];
      Inode n = (Inode) next[1];
      StringBuilder line = new StringBuilder(path).append(' ').append(Integer.toOctalString(n.mode())).append(' ')
          .append(n.nlink()).append(' ').append(n.uid()).append(':').append(n.gid()).append(' ').append(n.size())
          .append(' ').append(n.mtimeSec()).append('.').append(n.mtimeNsec());
      for (Map.Entry<String, byte[]> x : t.xattrs(n).entrySet()) {
        line.append(' ').append(x.getKey()).append('=').append(HexFormat.of().formatHex(x.getValue()));
      }
      if (n.isSymlink()) {
        line.append(" -> ").append(HexFormat.of().formatHex(t.readlink(n)));
      } else if (n.isFile()) {
        byte[] content = Snaps.readAll(t.open(n), 1 << 16);
        if (consistent && (n.ref() < 0 || n.ref() + content.length > disk.length
            || !Arrays.equals(content, 0, content.length, disk, (int) n.ref(), (int) n.ref() + content.length))) {
          throw new AssertionError("WRONG BYTES: " + path + " is not the disk stream at " + n.ref());
        }
        line.append(' ').append(HexFormat.of().formatHex(TestData.sha256(content, 0, content.length)));
      } else if (n.isDir() && seen.add(n.ino())) {
        for (long start = 0; out.size() + todo.size() < MAX_ENTRIES; ) {
          List<Tree.DirEntry> page = t.list(n, start, 64);
          for (Tree.DirEntry e : page) {
            String child = path + "/" + HexFormat.of().formatHex(e.name());
            java.util.Optional<Inode> c = t.lookup(n, e.name());
            // A re-stored manifest may list names unsorted or twice; lookup then legitimately differs.
            if (!consistent && (c.isEmpty() || c.get().ino() != e.ino())) {
              throw new AssertionError("lookup of " + child + " gives " + c + ", list gives inode " + e.ino());
            }
            todo.add(new Object[] {child, t.stat(e.ino())});
          }
          if (page.size() < 64) {
            break;
          }
          start += page.size();
        }
      }
      out.add(line.toString());
    }
    return out;
  }

  private static String firstDifference(List<String> a, List<String> b) {
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      if (!a.get(i).equals(b.get(i))) {
        return "expected " + a.get(i) + " got " + b.get(i);
      }
    }
    return "expected " + a.size() + " entries, got " + b.size();
  }
}
