package io.hexz.write;

import io.hexz.format.PathNames;
import io.hexz.format.StreamKind;
import io.hexz.format.TreeManifest;
import io.hexz.format.TreeManifest.Head;
import io.hexz.format.TreeManifest.Inode;
import io.hexz.read.PosixStat;
import io.hexz.read.Snapshot;
import io.hexz.read.Snapshots;
import io.hexz.read.Tree;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Packs a directory tree into a directory snapshot: walks the host directory and assembles the
 * manifest (see {@link TreeManifest}) in memory, while {@link DiskLayout} writes file contents
 * into the disk stream; the manifest stream follows the disk stream.
 *
 * <p>Order: directories are visited depth-first in name-byte order, the order in which
 * {@code find}, {@code tar} and {@code cp -r} read them; a directory's files are laid out right
 * after it is listed, before its subdirectories, so sequential readers of a mount hit
 * neighbouring blocks and the prefetcher.
 *
 * <p>What is read from the host: lstat of every entry, user xattrs (Java) and other namespaces
 * ({@link OtherXattrs}, one {@code getfattr} at the start), symlink targets as the bytes the link
 * holds ({@link RawLinks} when Java cannot give them back exactly); hard links become one inode.
 *
 * <p>Memory: the manifest is assembled in memory (about 100 bytes per entry plus names).
 *
 * <p>Concurrency: not thread-safe; one call builds one snapshot on the calling thread (the
 * writer compresses on its own pool).
 */
final class TreeBuilder {
  private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

  private final Path root;
  private final TreeOptions treeOptions;
  private final DiskLayout layout;
  private final List<Rec> inodes = new ArrayList<>();
  private final Out dirents = new Out();
  private final Out heap = new Out();
  private final Map<String, Integer> hardLinks = new HashMap<>();
  /** xattrs outside user.* (security.capability, ACLs...) by escaped absolute path, from getfattr. */
  private Map<String, Map<String, byte[]>> otherXattrs = Map.of();
  /** Exact symlink targets, read on the first target Java cannot give back exactly. */
  private Map<String, byte[]> rawLinks;
  private byte[] rootBytes;

  /** One inode while building: metadata as read, ref and size filled as content is placed. */
  private static final class Rec {
    int mode;
    int nlink = 1;
    int uid;
    int gid;
    long size;
    long mtimeSec;
    int mtimeNsec;
    int xattrLength;
    long xattrOffset;
    long ref;
    long allocated;
    Path path; // regular files until their content is written, then null
    byte[] rel; // regular files: the path from the root, for the parent lookup

    Inode inode(long ino) {
      return new Inode(ino, mode, nlink, uid, gid, size, mtimeSec, mtimeNsec, xattrLength, xattrOffset, ref, allocated);
    }
  }

  /** A little-endian growable byte array. */
  private static final class Out extends ByteArrayOutputStream {
    long length() {
      return count;
    }

    byte[] bytes() {
      return buf;
    }
  }

  private TreeBuilder(Path root, TreeOptions treeOptions, DiskLayout layout) {
    this.root = root;
    this.treeOptions = treeOptions;
    this.layout = layout;
  }

  /** Builds {@code out} from the directory {@code root}. */
  static WriteStats build(Path root, Path out, WriteOptions options, TreeOptions treeOptions) throws IOException {
    Snapshot parent = null;
    try {
      Tree parentTree = null;
      if (options.parent() != null) {
        parent = Snapshots.open(options.parent(), options.parentReadOptions());
        parentTree = parent.tree().orElseThrow(() -> new IllegalArgumentException(
            options.parent() + ": is not a directory snapshot, so it cannot be the parent of one"));
      }
      try (SnapshotWriter w = Writers.create(out, options)) {
        Head head;
        TreeBuilder b;
        try (SnapshotWriter.StreamSink sink = w.beginStream(StreamKind.DISK)) {
          DiskLayout layout = new DiskLayout(options.blockSize(), sink, parentTree, treeOptions.warnings());
          b = new TreeBuilder(root, treeOptions, layout);
          if (parent != null) {
            layout.referenceParent(parent.disk());
          }
          b.walk();
          // Block-aligned end: a later version that uses this one as parent references whole blocks.
          layout.align();
          head = new Head(b.inodes.size(), b.dirents.length() / TreeManifest.DIRENT_SIZE, b.heap.length(),
              layout.length());
        }
        try (SnapshotWriter.StreamSink sink = w.beginStream(StreamKind.MANIFEST)) {
          b.writeManifest(sink, head);
        }
        w.putMetadata("tree.inodes", Long.toString(head.inodeCount()));
        w.finish();
        return Writers.stats(w);
      }
    } finally {
      if (parent != null) {
        parent.close();
      }
    }
  }

  /** A directory to list: its path, inode number and path bytes from the root. */
  private record DirJob(Path path, int ino, byte[] rel) {}

  /** A child while listing: exact name bytes and its path. */
  private record Child(byte[] name, Path path) {}

  private void walk() throws IOException {
    PosixStat rootAttrs = PosixStat.of(root);
    rootBytes = PathNames.absoluteBytes(root);
    otherXattrs = OtherXattrs.load(root, treeOptions.warnings());
    Rec r = record(root, rootAttrs, new byte[0]);
    inodes.add(r);
    Deque<DirJob> stack = new ArrayDeque<>();
    stack.push(new DirJob(root, 1, new byte[0]));
    while (!stack.isEmpty()) {
      DirJob job = stack.pop();
      List<DirJob> subdirs = listDirectory(job);
      for (int i = subdirs.size() - 1; i >= 0; i--) {
        stack.push(subdirs.get(i));
      }
    }
  }

  private List<DirJob> listDirectory(DirJob job) throws IOException {
    List<Child> children = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(job.path())) {
      for (Path p : ds) {
        children.add(new Child(PathNames.lastName(p), p));
      }
    }
    children.sort((a, b) -> Arrays.compareUnsigned(a.name(), b.name()));
    Rec dir = inodes.get(job.ino() - 1);
    dir.ref = dirents.length() / TreeManifest.DIRENT_SIZE;
    List<DirJob> subdirs = new ArrayList<>();
    List<Rec> files = new ArrayList<>();
    long count = 0;
    for (Child c : children) {
      PosixStat a = PosixStat.of(c.path());
      int mode = a.mode();
      int type = a.type();
      boolean special = type != TreeManifest.S_IFREG && type != TreeManifest.S_IFDIR && type != TreeManifest.S_IFLNK;
      if (special && !treeOptions.special()) {
        treeOptions.warnings().accept(c.path() + ": skipped (device, fifo or socket; --no-special)");
        continue;
      }
      int ino;
      String linkKey = type == TreeManifest.S_IFREG && a.nlink() > 1 ? a.fileKey() : null;
      Integer seen = linkKey == null ? null : hardLinks.get(linkKey);
      if (seen != null) {
        ino = seen;
        inodes.get(ino - 1).nlink++;
      } else {
        byte[] rel = child(job.rel(), c.name());
        Rec r = record(c.path(), a, rel);
        inodes.add(r);
        ino = inodes.size();
        if (linkKey != null) {
          hardLinks.put(linkKey, ino);
        }
        if (type == TreeManifest.S_IFDIR) {
          subdirs.add(new DirJob(c.path(), ino, rel));
        } else if (type == TreeManifest.S_IFREG) {
          r.rel = rel;
          files.add(r);
        }
      }
      ByteBuffer d = ByteBuffer.allocate(TreeManifest.DIRENT_SIZE).order(ByteOrder.LITTLE_ENDIAN);
      new TreeManifest.Dirent(heap.length(), ino, c.name().length, TreeManifest.direntType(mode)).encode(d);
      heap.write(c.name());
      dirents.write(d.array());
      count++;
    }
    dir.size = count;
    dir.nlink = 2 + subdirs.size();
    for (Rec f : files) {
      DiskLayout.Placement at = layout.place(f.path, f.size, f.rel);
      f.path = null;
      f.ref = at.ref();
      f.size = at.size();
      f.allocated = at.allocated();
    }
    return subdirs;
  }

  private static byte[] child(byte[] dir, byte[] name) {
    byte[] out = Arrays.copyOf(dir, dir.length + 1 + name.length);
    out[dir.length] = '/';
    System.arraycopy(name, 0, out, dir.length + 1, name.length);
    return out;
  }

  /** Metadata of one file as the manifest keeps it; symlink targets and xattrs go to the heap. */
  private Rec record(Path p, PosixStat a, byte[] rel) throws IOException {
    Rec r = new Rec();
    r.mode = a.mode();
    r.uid = a.uid();
    r.gid = a.gid();
    java.time.Instant t = a.mtime();
    r.mtimeSec = t.getEpochSecond();
    r.mtimeNsec = t.getNano();
    int type = r.mode & TreeManifest.S_IFMT;
    if (type == TreeManifest.S_IFREG) {
      r.size = a.size();
      r.path = p;
    } else if (type == TreeManifest.S_IFLNK) {
      // The target is kept as the bytes the link holds, absolute or relative: nothing resolves it here.
      String decoded = Files.readSymbolicLink(p).toString();
      byte[] target = decoded.getBytes(StandardCharsets.UTF_8);
      long size = a.size();
      if (target.length != size || decoded.indexOf('\uFFFD') >= 0) {
        if (rawLinks == null) {
          rawLinks = RawLinks.load(root);
        }
        target = rawLinks.get(new String(absolute(rel), StandardCharsets.ISO_8859_1));
        if (target == null || target.length != size) {
          throw new FileSystemException(p.toString(), null, "cannot read the symlink target's exact bytes");
        }
      }
      if (target.length < 1 || target.length > TreeManifest.TARGET_MAX) {
        throw new FileSystemException(p.toString(), null, "symlink target of " + target.length + " bytes");
      }
      r.ref = heap.length();
      r.size = target.length;
      heap.write(target);
    } else if (type == TreeManifest.S_IFCHR || type == TreeManifest.S_IFBLK) {
      r.ref = a.rdev();
    }
    // Only files and directories: listing xattrs opens the file, and opening a fifo blocks.
    if (type == TreeManifest.S_IFREG || type == TreeManifest.S_IFDIR) {
      byte[] x = xattrs(p, otherXattrs.isEmpty() ? Map.of()
          : otherXattrs.getOrDefault(OtherXattrs.escape(absolute(rel)), Map.of()));
      if (x != null) {
        r.xattrOffset = heap.length();
        r.xattrLength = x.length;
        heap.write(x);
      }
    }
    return r;
  }

  /** The user.* extended attributes as an XattrBlob, or null when there are none. */
  private static byte[] xattrs(Path p, Map<String, byte[]> others) throws IOException {
    java.util.TreeMap<String, byte[]> all = new java.util.TreeMap<>(others);
    UserDefinedFileAttributeView v = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class, NOFOLLOW);
    try {
      for (String n : v == null ? List.<String>of() : v.list()) {
        ByteBuffer value = ByteBuffer.allocate(v.size(n));
        v.read(n, value);
        all.put("user." + n, Arrays.copyOf(value.array(), value.position()));
      }
    } catch (FileSystemException | UnsupportedOperationException e) {
      // the file system has no xattrs (or none for this file type)
    }
    if (all.isEmpty()) {
      return null;
    }
    try {
      return TreeManifest.encodeXattrs(all);
    } catch (IllegalArgumentException e) {
      throw new FileSystemException(p.toString(), null, e.getMessage());
    }
  }

  /** The absolute path bytes of a path below the root, as find and getfattr print it. */
  private byte[] absolute(byte[] rel) {
    return rootBytes.length == 1 && rel.length > 0 ? rel : concat(rootBytes, rel);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }


  private void writeManifest(SnapshotWriter.StreamSink sink, Head head) throws IOException {
    sink.write(ByteBuffer.wrap(head.encode()));
    ByteBuffer b = ByteBuffer.allocate(TreeManifest.INODE_SIZE * 1024).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < inodes.size(); i++) {
      inodes.get(i).inode(i + 1).encode(b);
      if (!b.hasRemaining()) {
        sink.write(b.flip());
        b.clear();
      }
    }
    sink.write(b.flip());
    sink.write(ByteBuffer.wrap(dirents.bytes(), 0, (int) dirents.length()));
    sink.write(ByteBuffer.wrap(heap.bytes(), 0, (int) heap.length()));
  }
}
