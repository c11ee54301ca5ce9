package io.hexz;

import io.hexz.format.PathNames;
import io.hexz.format.TreeManifest;
import io.hexz.format.TreeManifest.Inode;
import io.hexz.read.BlockDevice;
import io.hexz.read.Tree;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Restores entries of a directory snapshot into a directory, with their metadata. Each file is
 * written to a temporary name beside its target and renamed into place, so a reader never sees a
 * half-written file; names come from the manifest already checked (no '/', no "..") and an
 * existing symlink on the way is refused, so nothing is written outside the destination.
 * Ownership is restored when running as root. Not thread-safe: one call, one thread.
 */
final class TreeExtract {
  private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
  private static final int CHUNK = 1 << 20;

  private final String snapshot;
  private final Tree tree;
  private final Consumer<String> warnings;
  private final boolean root;
  private final Map<Long, Path> linked = new HashMap<>();
  private final ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
  private long files;

  private TreeExtract(String snapshot, Tree tree, Consumer<String> warnings) {
    this.snapshot = snapshot;
    this.tree = tree;
    this.warnings = warnings;
    this.root = isRoot();
  }

  private static boolean isRoot() {
    try {
      return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue() == 0;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Extracts {@code paths} (the whole tree when empty) below {@code dest}; returns the entries written. */
  static long extract(String snapshot, Tree tree, List<String> paths, Path dest, Consumer<String> warnings)
      throws IOException {
    Files.createDirectories(dest);
    if (!Files.isDirectory(dest, NOFOLLOW)) {
      throw new FileSystemException(dest.toString(), null, "destination is not a directory");
    }
    TreeExtract x = new TreeExtract(snapshot, tree, warnings);
    List<String> todo = paths.isEmpty() ? List.of("") : paths;
    for (String p : todo) {
      byte[] rel = p.getBytes(StandardCharsets.UTF_8);
      Inode n = tree.resolve(rel).orElseThrow(() -> new NoSuchFileException(snapshot + ":" + p, null,
          "no such entry in the snapshot"));
      List<String> parts = new ArrayList<>();
      for (String c : p.split("/")) {
        if (!c.isEmpty() && !c.equals(".")) {
          parts.add(c);
        }
      }
      Path target = dest;
      for (int i = 0; i < parts.size(); i++) {
        target = x.child(target, parts.get(i).getBytes(StandardCharsets.UTF_8));
        if (i < parts.size() - 1) {
          x.ensureRealDir(target);
          Files.createDirectories(target);
        }
      }
      x.restore(n, target);
    }
    return x.files;
  }

  /** Refuses a symlink where a directory is expected: following it could leave the destination. */
  private void ensureRealDir(Path p) throws IOException {
    if (Files.isSymbolicLink(p)) {
      throw new FileSystemException(p.toString(), null, "is a symlink; refusing to extract through it");
    }
  }

  private Path child(Path dir, byte[] name) {
    return PathNames.child(dir, name);
  }

  /** A directory's entries are restored before its own metadata, so its mtime survives. */
  private record Pending(Inode dir, Path path) {}

  private void restore(Inode top, Path target) throws IOException {
    Deque<Object[]> stack = new ArrayDeque<>();
    List<Pending> dirs = new ArrayList<>();
    stack.push(new Object[] {top, target});
    while (!stack.isEmpty()) {
      Object[] job = stack.pop();
      Inode n = (Inode) job[0];
      Path p = (Path) job[1];
      if (n.isDir()) {
        if (Files.isSymbolicLink(p) || (Files.exists(p, NOFOLLOW) && !Files.isDirectory(p, NOFOLLOW))) {
          throw new FileAlreadyExistsException(p.toString(), null, "exists and is not a directory");
        }
        Files.createDirectories(p);
        dirs.add(new Pending(n, p));
        for (long at = 0; at < n.size(); at += 4096) {
          for (Tree.DirEntry e : tree.list(n, at, 4096)) {
            stack.push(new Object[] {tree.stat(e.ino()), child(p, e.name())});
          }
        }
      } else {
        restoreLeaf(n, p);
      }
      files++;
    }
    for (int i = dirs.size() - 1; i >= 0; i--) {
      applyMetadata(dirs.get(i).dir(), dirs.get(i).path());
    }
  }

  private void restoreLeaf(Inode n, Path p) throws IOException {
    if (n.nlink() > 1 && n.isFile()) {
      Path first = linked.get(n.ino());
      if (first != null) {
        Path tmp = tempBeside(p);
        Files.delete(tmp);
        Files.createLink(tmp, first);
        moveIntoPlace(tmp, p);
        return;
      }
    }
    Path tmp;
    switch (n.type()) {
      case TreeManifest.S_IFREG:
        tmp = tempBeside(p);
        writeContent(n, tmp);
        applyMetadata(n, tmp);
        break;
      case TreeManifest.S_IFLNK:
        tmp = tempBeside(p);
        Files.delete(tmp);
        // Stored bytes, restored as they were: an absolute or "../" target is data, never followed here.
        createSymlink(tmp, tree.readlink(n));
        applyMetadata(n, tmp);
        break;
      default:
        tmp = tempBeside(p);
        Files.delete(tmp);
        if (!makeSpecial(n, tmp)) {
          warnings.accept(snapshot + ": " + p + ": special file (mode " + Integer.toOctalString(n.mode())
              + ") not restored");
          return;
        }
    }
    moveIntoPlace(tmp, p);
    if (n.nlink() > 1 && n.isFile()) {
      linked.put(n.ino(), p);
    }
  }

  private static Path tempBeside(Path p) throws IOException {
    return Files.createTempFile(p.getParent(), ".hexz-extract-", ".part");
  }

  private static void moveIntoPlace(Path tmp, Path p) throws IOException {
    if (Files.isDirectory(p, NOFOLLOW)) {
      Files.deleteIfExists(tmp);
      throw new FileAlreadyExistsException(p.toString(), null, "exists and is a directory");
    }
    try {
      // rename(2): replaces a file or a symlink itself, never what a symlink points to.
      Files.move(tmp, p, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, p, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private boolean makeSpecial(Inode n, Path p) {
    String name = TreeManifest.typeName(n.mode());
    if (!name.equals("fifo") && !name.equals("char") && !name.equals("block")) {
      return false; // a socket cannot be recreated without its server
    }
    String type = name.substring(0, 1).replace('f', 'p');
    // mknod and touch set mode and time by path: Java's setters open the file, which blocks on a fifo.
    List<String> cmd = new ArrayList<>(List.of("mknod", "-m", Integer.toOctalString(n.mode() & 07777), p.toString(), type));
    if (!type.equals("p")) {
      long rdev = n.rdev();
      // glibc's gnu_dev_major/minor encoding of dev_t
      long major = ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL);
      long minor = (rdev & 0xff) | ((rdev >>> 12) & ~0xffL);
      cmd.add(Long.toString(major));
      cmd.add(Long.toString(minor));
    }
    try {
      if (!run(cmd)) {
        return false;
      }
      if (root) {
        Files.setAttribute(p, "unix:uid", n.uid(), NOFOLLOW);
        Files.setAttribute(p, "unix:gid", n.gid(), NOFOLLOW);
      }
      return setTimeByPath(n, p);
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * A symlink holding exactly {@code target}. Java takes a target as a path in the JVM's charset
   * and normalizes it ("a//b/" becomes "a/b"), so any target that would not survive that is made
   * by ln(1), with both byte strings passed as printf escapes.
   */
  private static void createSymlink(Path link, byte[] target) throws IOException {
    String s = new String(target, StandardCharsets.UTF_8);
    if (java.util.Arrays.equals(s.getBytes(StandardCharsets.UTF_8), target) && Path.of(s).toString().equals(s)) {
      Files.createSymbolicLink(link, Path.of(s));
      return;
    }
    // $(...) drops trailing newlines, so each value carries a final x that is cut off again.
    String script = "t=$(printf '%bx' \"$1\") && l=$(printf '%bx' \"$2\") && exec ln -s -- \"${t%x}\" \"${l%x}\"";
    try {
      if (!run(List.of("sh", "-c", script, "sh", octalEscapes(target), octalEscapes(PathNames.absoluteBytes(link))))) {
        throw new FileSystemException(link.toString(), null, "ln -s failed for a symlink target Java cannot pass as is");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while creating " + link);
    }
  }

  /** Bytes as printf %b reads them: letters and digits as is, every other byte as \0ooo. */
  private static String octalEscapes(byte[] b) {
    StringBuilder sb = new StringBuilder(b.length * 2);
    for (byte x : b) {
      int c = x & 0xFF;
      if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
        sb.append((char) c);
      } else {
        sb.append(String.format("\\0%03o", c));
      }
    }
    return sb.toString();
  }

  private static boolean run(List<String> cmd) throws IOException, InterruptedException {
    Process pr = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    return pr.waitFor() == 0;
  }

  /** Copies a file's content; runs of zero chunks become holes (the file is sparse again). */
  private void writeContent(Inode n, Path tmp) throws IOException {
    BlockDevice d = tree.open(n);
    try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      long at = 0;
      boolean holeAtEnd = false;
      while (at < n.size()) {
        buffer.clear().limit((int) Math.min(CHUNK, n.size() - at));
        while (buffer.hasRemaining()) {
          if (d.read(buffer, at + buffer.position()) < 0) {
            throw new io.hexz.format.CorruptSnapshotException(snapshot, "file inode " + n.ino() + " ends early");
          }
        }
        buffer.flip();
        holeAtEnd = io.hexz.format.Checksums.isZero(buffer.array(), 0, buffer.limit());
        if (!holeAtEnd) {
          while (buffer.hasRemaining()) {
            out.write(buffer, at + buffer.position());
          }
        }
        at += buffer.limit();
      }
      if (holeAtEnd) {
        out.write(ByteBuffer.allocate(1), n.size() - 1);
      }
      // No fsync per file (tar does none either): the rename makes each file appear whole to
      // readers; durability against power loss is the caller's `sync`.
    }
  }

  private void applyMetadata(Inode n, Path p) throws IOException {
    if (root) {
      Files.setAttribute(p, "unix:uid", n.uid(), NOFOLLOW);
      Files.setAttribute(p, "unix:gid", n.gid(), NOFOLLOW);
    }
    if (!n.isSymlink()) {
      // After chown, which clears set-id bits.
      Files.setAttribute(p, "unix:mode", n.mode() & 07777);
      Map<String, byte[]> x = tree.xattrs(n);
      if (!x.isEmpty()) {
        UserDefinedFileAttributeView v = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class, NOFOLLOW);
        for (Map.Entry<String, byte[]> e : x.entrySet()) {
          if (e.getKey().startsWith("user.")) {
            v.write(e.getKey().substring(5), ByteBuffer.wrap(e.getValue()));
          } else if (!setOtherXattr(p, e.getKey(), e.getValue())) {
            warnings.accept(p + ": xattr " + e.getKey() + " not restored (setfattr failed or is missing)");
          }
        }
      }
    }
    if (n.isSymlink()) {
      // Java sets a symlink's own time with lutimes (microseconds); touch -h keeps the nanoseconds.
      setTimeByPath(n, p);
      return;
    }
    FileTime t = FileTime.from(java.time.Instant.ofEpochSecond(n.mtimeSec(), n.mtimeNsec()));
    Files.getFileAttributeView(p, BasicFileAttributeView.class, NOFOLLOW).setTimes(t, null, null);
  }

  /** security.*, trusted.*, system.* need setfattr: Java's API writes user.* only. */
  private static boolean setOtherXattr(Path p, String name, byte[] value) {
    try {
      return run(List.of("setfattr", "-h", "-n", name, "-v", "0x" + java.util.HexFormat.of().formatHex(value),
          p.toString()));
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static boolean setTimeByPath(Inode n, Path p) throws IOException {
    try {
      return run(List.of("touch", "-h", "-m", "-d", "@" + n.mtimeSec() + "." + String.format("%09d", n.mtimeNsec()),
          p.toString()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while restoring " + p);
    }
  }
}
