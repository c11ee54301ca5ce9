package io.hexz.read;

import io.hexz.format.CorruptSnapshotException;
import io.hexz.format.PathNames;
import io.hexz.format.TreeManifest;
import io.hexz.format.TreeManifest.Inode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Restores entries of a directory snapshot into a directory, with their metadata. Each file is
 * written to a temporary name beside its target and renamed into place, so a reader never sees a
 * half-written file; names come from the manifest already checked (no '/', no "..") and an
 * existing symlink on the way is refused, so nothing is written outside the destination.
 * Owners, modes, xattrs and times are set by {@link MetadataRestorer} once each entry is in place
 * (a directory's after its children, so its time survives). Not thread-safe: one call, one
 * thread. The reverse of {@code write.TreeBuilder}; {@code Hexz.extract} is its entry point.
 */
public final class TreeExtract {
  private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
  private static final int CHUNK = 1 << 20;

  private final String snapshot;
  private final Tree tree;
  private final Consumer<String> warnings;
  /** Owners, modes, xattrs and times, set once an entry is in place. */
  private final MetadataRestorer metadata;
  private final Map<Long, Path> linked = new HashMap<>();
  /** Directory inodes restored so far: each may be met once. */
  private final Set<Long> visitedDirs = new HashSet<>();
  /** The temporary file being written, for the shutdown hook. */
  private volatile Path inFlight;
  /** Set by the shutdown hook: the JVM is exiting. */
  private volatile boolean closing;
  /** Entries the restored directories declared, checked against the manifest's dirent count. */
  private long entries;
  private final ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
  private long files;

  private TreeExtract(String snapshot, Tree tree, Consumer<String> warnings) {
    this.snapshot = snapshot;
    this.tree = tree;
    this.warnings = warnings;
    this.metadata = new MetadataRestorer(snapshot, tree, warnings);
  }

  /** Extracts {@code paths} (the whole tree when empty) below {@code dest}; returns the entries written. */
  public static long extract(String snapshot, Tree tree, List<String> paths, Path dest, Consumer<String> warnings)
      throws IOException {
    Files.createDirectories(dest);
    if (!Files.isDirectory(dest, NOFOLLOW)) {
      throw new FileSystemException(dest.toString(), null, "destination is not a directory");
    }
    TreeExtract x = new TreeExtract(snapshot, tree, warnings);
    // Ctrl-C or SIGTERM runs shutdown hooks: the file being written is removed, not left as .part.
    Thread hook = new Thread(x::abandon, "hexz-extract-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      return x.extractAll(paths, dest);
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // already shutting down: the hook runs
      }
    }
  }

  /** Run by the shutdown hook: no new temporary file, and the current one deleted. */
  private void abandon() {
    closing = true;
    Path tmp = inFlight;
    if (tmp != null) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException e) {
        // exiting anyway
      }
    }
  }

  private long extractAll(List<String> paths, Path dest) throws IOException {
    TreeExtract x = this;
    List<String> todo = paths.isEmpty() ? List.of("") : paths;
    for (String p : todo) {
      byte[] rel = p.getBytes(StandardCharsets.UTF_8);
      Inode n = tree.resolve(rel).orElseThrow(() -> new NoSuchFileException(x.snapshot + ":" + p, null,
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
      if (!n.isDir()) {
        x.sweepLeftovers(target.getParent());
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

  /** Entries fetched from the manifest per step: bounds the memory of each directory being walked. */
  private static final int PAGE = 256;

  /**
   * A directory being restored: its inode, where it goes, and the next entry to take. Its own
   * metadata is applied when it is left, after its entries, so its mtime and mode survive.
   */
  private static final class Frame {
    final Inode dir;
    final Path path;
    long next;
    List<Tree.DirEntry> page = List.of();
    int pageAt;

    Frame(Inode dir, Path path) {
      this.dir = dir;
      this.path = path;
    }
  }

  /**
   * Walks depth-first with one cursor per open directory, so memory is the depth times a page,
   * however many entries a directory declares. A directory met twice (two parents: a DAG that
   * would multiply the output) is damage, and so is a walk that meets more entries than the
   * manifest holds (directories sharing one run of dirents): both are refused before the output
   * can outgrow the snapshot.
   */
  private void restore(Inode top, Path target) throws IOException {
    // Per requested path: "extract a a/b" restores a/b twice, which is not a second parent.
    visitedDirs.clear();
    entries = 0;
    Deque<Frame> stack = new ArrayDeque<>();
    Inode n = top;
    Path p = target;
    while (true) {
      if (n != null) {
        if (n.isDir()) {
          if (!visitedDirs.add(n.ino())) {
            throw new CorruptSnapshotException(snapshot, "manifest directory inode " + n.ino()
                + " has more than one parent (a directory must have exactly one): damaged manifest");
          }
          entries += n.size();
          if (entries > tree.direntCount()) {
            throw new CorruptSnapshotException(snapshot, "manifest directories declare more entries than its "
                + tree.direntCount() + " dirents (directories share dirents): damaged manifest");
          }
          if (Files.isSymbolicLink(p) || (Files.exists(p, NOFOLLOW) && !Files.isDirectory(p, NOFOLLOW))) {
            throw new FileAlreadyExistsException(p.toString(), null, "exists and is not a directory");
          }
          if (Files.isDirectory(p, NOFOLLOW)) {
            sweepLeftovers(p);
          } else {
            Files.createDirectories(p);
          }
          stack.push(new Frame(n, p));
        } else {
          restoreLeaf(n, p);
        }
        files++;
      }
      Frame f = stack.peek();
      if (f == null) {
        return;
      }
      if (f.pageAt == f.page.size()) {
        f.page = f.next < f.dir.size() ? tree.list(f.dir, f.next, PAGE) : List.of();
        f.pageAt = 0;
        f.next += f.page.size();
        if (f.page.isEmpty()) {
          stack.pop();
          metadata.apply(f.dir, f.path);
          n = null;
          continue;
        }
      }
      Tree.DirEntry e = f.page.get(f.pageAt++);
      n = tree.child(f.dir, e);
      p = child(f.path, e.name());
    }
  }

  /**
   * Writes a file, symlink or special file to a temporary name beside {@code p} and renames it
   * into place. The temporary name is deleted whatever happens (an error, the rename of a hard
   * link onto itself, which rename(2) leaves undone, or the JVM exiting on a signal, see
   * {@link #extract}), so an interrupted extract leaves no {@code .part} file behind.
   */
  private void restoreLeaf(Inode n, Path p) throws IOException {
    Path tmp = tempBeside(p);
    inFlight = tmp;
    try {
      if (writeLeaf(n, p, tmp)) {
        moveIntoPlace(tmp, p);
        if (n.nlink() > 1 && n.isFile()) {
          linked.putIfAbsent(n.ino(), p);
        }
      }
    } finally {
      Files.deleteIfExists(tmp);
      inFlight = null;
    }
  }

  /** Creates the entry at {@code tmp}; false when it cannot be restored (warned). */
  private boolean writeLeaf(Inode n, Path p, Path tmp) throws IOException {
    Path first = n.nlink() > 1 && n.isFile() ? linked.get(n.ino()) : null;
    if (first != null) {
      Files.delete(tmp);
      Files.createLink(tmp, first);
      return true;
    }
    switch (n.type()) {
      case TreeManifest.S_IFREG:
        writeContent(n, tmp);
        metadata.apply(n, tmp);
        return true;
      case TreeManifest.S_IFLNK:
        Files.delete(tmp);
        // Stored bytes, restored as they were: an absolute or "../" target is data, never followed here.
        HostTools.symlink(tmp, tree.readlink(n));
        metadata.apply(n, tmp);
        return true;
      default:
        Files.delete(tmp);
        if (!makeSpecial(n, tmp)) {
          warnings.accept(snapshot + ": " + p + ": special file (mode " + Integer.toOctalString(n.mode())
              + ") not restored");
          return false;
        }
        return true;
    }
  }

  /** Temporary names carry this process's id, so a later extract can tell a leftover from a live one. */
  private static final String PART_PREFIX = ".hexz-extract-";
  private static final String PART_SUFFIX = ".part";

  private Path tempBeside(Path p) throws IOException {
    if (closing) {
      throw new java.io.InterruptedIOException("extract interrupted: the JVM is exiting");
    }
    return Files.createTempFile(p.getParent(), PART_PREFIX + ProcessHandle.current().pid() + "-", PART_SUFFIX);
  }

  /**
   * Deletes temporary files that an extract killed outright (SIGKILL, power loss) left in
   * {@code dir}: only ours by name, only of processes that no longer run.
   */
  private void sweepLeftovers(Path dir) throws IOException {
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, PART_PREFIX + "*" + PART_SUFFIX)) {
      for (Path f : ds) {
        String name = f.getFileName().toString();
        int dash = name.indexOf('-', PART_PREFIX.length());
        long pid;
        try {
          pid = Long.parseLong(name.substring(PART_PREFIX.length(), dash < 0 ? PART_PREFIX.length() : dash));
        } catch (NumberFormatException e) {
          continue; // not one of ours
        }
        if (ProcessHandle.of(pid).isEmpty() && !Files.isDirectory(f, NOFOLLOW)) {
          Files.deleteIfExists(f);
        }
      }
    }
  }

  private static void moveIntoPlace(Path tmp, Path p) throws IOException {
    if (Files.isDirectory(p, NOFOLLOW)) {
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
    char type = name.equals("fifo") ? 'p' : name.charAt(0);
    // mknod sets the mode by path: Java's setters open the file, which blocks on a fifo.
    try {
      if (!HostTools.mknod(p, metadata.mode(n), type, n.rdev())) {
        return false;
      }
      return metadata.applyToSpecial(n, p);
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
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
}
