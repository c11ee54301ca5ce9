package io.hexz.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hexz.format.TreeManifest.Inode;
import io.hexz.read.Tree;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Builds varied source trees and compares trees (source vs snapshot, source vs extracted copy). Stateless. */
public final class Trees {
  private Trees() {}

  /** A path below {@code dir} whose last component is exactly {@code name}. */
  public static Path child(Path dir, byte[] name) {
    return io.hexz.format.PathNames.child(dir, name);
  }

  /**
   * A varied tree: nested and empty dirs, empty files, a sparse file, a large file and its copy,
   * duplicate small files, symlinks (relative, absolute, dangling), hard links, user xattrs, odd
   * names (spaces, newline, UTF-8, 255 bytes, a non-UTF-8 byte), a fifo and {@code many} files in one dir.
   */
  public static void makeVaried(Path root, long seed, int many) throws IOException {
    Random r = new Random(seed);
    Files.createDirectories(root.resolve("a/b/c/d"));
    Files.createDirectories(root.resolve("empty-dir"));
    Files.write(root.resolve("empty-file"), new byte[0]);
    Files.write(root.resolve("a/b/c/d/deep.txt"), "deep\n".getBytes(StandardCharsets.UTF_8));
    byte[] big = TestData.text(700_000, r);
    Files.write(root.resolve("a/big.bin"), big);
    Files.write(root.resolve("a/b/big-copy.bin"), big);
    for (int i = 0; i < 50; i++) {
      Files.write(root.resolve("a/small-" + i + ".txt"), ("same content " + (i % 5) + "\n").getBytes(StandardCharsets.UTF_8));
    }
    try (var ch = java.nio.channels.FileChannel.open(root.resolve("sparse.img"), java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap("head".getBytes(StandardCharsets.US_ASCII)), 0);
      ch.write(ByteBuffer.wrap("middle".getBytes(StandardCharsets.US_ASCII)), 40L << 20);
      ch.write(ByteBuffer.wrap("tail".getBytes(StandardCharsets.US_ASCII)), (96L << 20) - 4);
    }
    Files.createSymbolicLink(root.resolve("link-rel"), Path.of("a/big.bin"));
    Files.createSymbolicLink(root.resolve("link-abs"), Path.of("/etc/hostname"));
    Files.createSymbolicLink(root.resolve("link-dangling"), Path.of("no/such/target"));
    Files.createSymbolicLink(root.resolve("a/link-up"), Path.of("../../outside"));
    Files.createLink(root.resolve("hard-1"), root.resolve("a/small-1.txt"));
    Files.createLink(root.resolve("a/b/hard-2"), root.resolve("a/small-1.txt"));
    Path x = root.resolve("with-xattrs");
    Files.write(x, "x".getBytes(StandardCharsets.US_ASCII));
    UserDefinedFileAttributeView v = Files.getFileAttributeView(x, UserDefinedFileAttributeView.class);
    v.write("comment", ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII)));
    v.write("bin", ByteBuffer.wrap(new byte[] {0, 1, 2, (byte) 255}));
    Files.write(root.resolve("name with spaces"), "s".getBytes(StandardCharsets.US_ASCII));
    Files.write(root.resolve("new\nline"), "n".getBytes(StandardCharsets.US_ASCII));
    Files.write(root.resolve("ünïcødé-名前"), "u".getBytes(StandardCharsets.US_ASCII));
    Files.write(root.resolve("-leading-dash"), "d".getBytes(StandardCharsets.US_ASCII));
    byte[] longName = new byte[255];
    Arrays.fill(longName, (byte) 'L');
    Files.write(child(root, longName), "long".getBytes(StandardCharsets.US_ASCII));
    Files.write(child(root, new byte[] {'c', 'a', 'f', (byte) 0xE9}), "latin1".getBytes(StandardCharsets.US_ASCII));
    Path many1 = Files.createDirectories(root.resolve("many"));
    for (int i = 0; i < many; i++) {
      Files.write(many1.resolve("f" + i), ("file " + i).getBytes(StandardCharsets.US_ASCII));
    }
    Files.setPosixFilePermissions(root.resolve("a/b"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-x---"));
    Files.setLastModifiedTime(root.resolve("a/b/c/d/deep.txt"), FileTime.fromMillis(1_000_000_000_123L));
    try {
      new ProcessBuilder("mkfifo", root.resolve("fifo").toString()).start().waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Every path below {@code root} (relative, as exact bytes joined by '/'), sorted. */
  public static List<Path> walk(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      List<Path> out = new ArrayList<>(s.toList());
      return out;
    }
  }

  private static Map<String, byte[]> xattrs(Path p) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      return out; // listing xattrs opens the file: a fifo would block
    }
    UserDefinedFileAttributeView v = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class,
        LinkOption.NOFOLLOW_LINKS);
    for (String n : v.list()) {
      ByteBuffer b = ByteBuffer.allocate(v.size(n));
      v.read(n, b);
      out.put("user." + n, Arrays.copyOf(b.array(), b.position()));
    }
    return out;
  }

  /** Asserts that the tree in the snapshot equals the source directory: names, types, metadata, content. */
  public static int assertSame(Path source, Tree tree) throws IOException {
    int checked = 0;
    for (Path p : walk(source)) {
      Path rel = source.relativize(p);
      byte[] relBytes = relBytes(rel);
      Inode n = tree.resolve(relBytes).orElseThrow(() -> new AssertionError("missing in snapshot: " + rel));
      Map<String, Object> a = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
      String what = "'" + rel + "'";
      assertEquals(((Integer) a.get("mode")).intValue(), n.mode(), "mode of " + what);
      assertEquals(((Integer) a.get("uid")).intValue(), n.uid(), "uid of " + what);
      assertEquals(((Integer) a.get("gid")).intValue(), n.gid(), "gid of " + what);
      assertEquals(((Integer) a.get("nlink")).intValue(), n.nlink(), "nlink of " + what);
      if (!n.isSymlink()) {
        java.time.Instant t = ((FileTime) a.get("lastModifiedTime")).toInstant();
        assertEquals(t.getEpochSecond(), n.mtimeSec(), "mtime of " + what);
        assertEquals(t.getNano(), n.mtimeNsec(), "mtime ns of " + what);
        assertEquals(xattrs(p).keySet(), new TreeMap<>(tree.xattrs(n)).keySet(), "xattrs of " + what);
        for (var e : xattrs(p).entrySet()) {
          assertArrayEquals(e.getValue(), tree.xattrs(n).get(e.getKey()), "xattr " + e.getKey() + " of " + what);
        }
      }
      if (n.isFile()) {
        assertEquals(Files.size(p), n.size(), "size of " + what);
        assertContentEquals(p, tree, n, what);
      } else if (n.isSymlink()) {
        assertEquals(Files.readSymbolicLink(p).toString(), new String(tree.readlink(n), StandardCharsets.UTF_8), what);
      } else if (n.isDir()) {
        try (Stream<Path> s = Files.list(p)) {
          assertEquals(s.count(), n.size(), "entries of " + what);
        }
      }
      checked++;
    }
    return checked;
  }

  private static void assertContentEquals(Path p, Tree tree, Inode n, String what) throws IOException {
    try (SeekableByteChannel a = Files.newByteChannel(p); SeekableByteChannel b = tree.channel(n)) {
      ByteBuffer x = ByteBuffer.allocate(1 << 20);
      ByteBuffer y = ByteBuffer.allocate(1 << 20);
      long at = 0;
      while (true) {
        x.clear();
        y.clear();
        int nx = fill(a, x);
        int ny = fill(b, y);
        assertEquals(nx, ny, "length of " + what + " at " + at);
        assertTrue(x.flip().equals(y.flip()), "content of " + what + " differs near " + at);
        if (nx <= 0) {
          return;
        }
        at += nx;
      }
    }
  }

  private static int fill(SeekableByteChannel c, ByteBuffer b) throws IOException {
    int total = 0;
    while (b.hasRemaining()) {
      int n = c.read(b);
      if (n < 0) {
        return total == 0 ? -1 : total;
      }
      total += n;
    }
    return total;
  }

  /** The exact bytes of a relative path. */
  public static byte[] relBytes(Path rel) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (Path c : rel) {
      if (out.size() > 0) {
        out.write('/');
      }
      out.writeBytes(io.hexz.format.PathNames.lastName(c));
    }
    return out.toByteArray();
  }
}
