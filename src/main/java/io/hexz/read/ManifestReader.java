package io.hexz.read;

import io.hexz.format.CorruptSnapshotException;
import io.hexz.format.TreeManifest;
import io.hexz.format.TreeManifest.Dirent;
import io.hexz.format.TreeManifest.Head;
import io.hexz.format.TreeManifest.Inode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link Tree} over the manifest and disk streams of a directory snapshot. Holds only the
 * 64-byte manifest header: every stat, lookup and listing reads the few manifest bytes it needs
 * through the stream (and so through the block cache), so mounting a tree of any size takes the
 * same memory. A lookup binary-searches the directory's fixed-size dirents, reading O(log n)
 * manifest blocks, never the whole directory.
 *
 * <p>Concurrency: thread-safe; immutable apart from the cache below it.
 */
final class ManifestReader implements Tree {
  private final String file;
  private final BlockDevice manifest;
  private final BlockDevice data;
  private final Head head;
  /** The parent and name each directory was first met under (see checkEdge). */
  private final java.util.concurrent.ConcurrentHashMap<Long, Edge> parents = new java.util.concurrent.ConcurrentHashMap<>();

  /** Where a directory hangs in the tree. */
  private record Edge(long parent, byte[] name) {}

  private ManifestReader(String file, BlockDevice manifest, BlockDevice data, Head head) {
    this.file = file;
    this.manifest = manifest;
    this.data = data;
    this.head = head;
  }

  /** Reads and checks the manifest header. */
  static ManifestReader open(String file, BlockDevice manifest, BlockDevice data) throws IOException {
    if (manifest.size() < TreeManifest.HEADER_SIZE) {
      throw new CorruptSnapshotException(file, "manifest stream is only " + manifest.size() + " bytes");
    }
    byte[] raw = new byte[TreeManifest.HEADER_SIZE];
    readFully(file, manifest, ByteBuffer.wrap(raw), 0);
    return new ManifestReader(file, manifest, data, TreeManifest.decodeHead(file, raw, manifest.size(), data.size()));
  }

  private static void readFully(String file, BlockDevice d, ByteBuffer dst, long offset) throws IOException {
    long at = offset;
    while (dst.hasRemaining()) {
      int n = d.read(dst, at);
      if (n < 0) {
        throw new CorruptSnapshotException(file, "manifest ends early at offset " + at + ": damaged manifest");
      }
      at += n;
    }
  }

  private ByteBuffer readManifest(long offset, int length) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    readFully(file, manifest, b, offset);
    return b.flip();
  }

  @Override
  public Inode root() throws IOException {
    return stat(TreeManifest.ROOT_INO);
  }

  @Override
  public long inodeCount() {
    return head.inodeCount();
  }

  @Override
  public long direntCount() {
    return head.direntCount();
  }

  @Override
  public Inode stat(long ino) throws IOException {
    if (ino < 1 || ino > head.inodeCount()) {
      throw new IllegalArgumentException("inode " + ino + " outside 1.." + head.inodeCount());
    }
    return TreeManifest.decodeInode(file, head, ino, readManifest(head.inodeOffset(ino), TreeManifest.INODE_SIZE));
  }

  private Dirent dirent(long index) throws IOException {
    return TreeManifest.decodeDirent(file, head, index, readManifest(head.direntOffset(index), TreeManifest.DIRENT_SIZE));
  }

  private byte[] heap(long offset, int length) throws IOException {
    return readManifest(head.heapOffset() + offset, length).array();
  }

  private byte[] name(Dirent d) throws IOException {
    byte[] n = heap(d.nameOffset(), d.nameLength());
    if (!TreeManifest.isValidName(n)) {
      throw new CorruptSnapshotException(file, "manifest holds an illegal name (empty, \".\", \"..\", or with '/' or NUL)"
          + ": damaged manifest");
    }
    return n;
  }

  private void checkDir(Inode dir) {
    if (!dir.isDir()) {
      throw new IllegalArgumentException("inode " + dir.ino() + " is not a directory");
    }
  }

  @Override
  public Optional<Inode> lookup(Inode dir, byte[] name) throws IOException {
    checkDir(dir);
    long lo = 0;
    long hi = dir.size() - 1;
    while (lo <= hi) {
      long mid = (lo + hi) >>> 1;
      Dirent d = dirent(dir.ref() + mid);
      int c = Arrays.compareUnsigned(name(d), name);
      if (c == 0) {
        return Optional.of(checkEdge(dir, name, stat(d.ino())));
      }
      if (c < 0) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return Optional.empty();
  }

  @Override
  public Inode child(Inode dir, DirEntry e) throws IOException {
    Inode n = stat(e.ino());
    if (TreeManifest.direntType(n.mode()) != e.type()) {
      throw new CorruptSnapshotException(file, "manifest directory inode " + dir.ino() + " has an entry of type "
          + e.type() + " for inode " + n.ino() + " of type " + TreeManifest.direntType(n.mode()) + ": damaged manifest");
    }
    return checkEdge(dir, e.name(), n);
  }

  /**
   * A subdirectory must have a higher inode number than its parent (the builder numbers inodes as
   * it walks down): one comparison per step that keeps every path finite, so an entry pointing
   * back at the root or an ancestor cannot make a walk recurse without end. And a directory has
   * one parent and one name: the first (parent, name) a directory is met under is remembered, and
   * meeting it under another is damage (a DAG of directories would show a few KB of manifest as
   * 2^40 paths in a mount, as extract refuses to write them). The map holds one entry per
   * directory met, at most the manifest's directories.
   */
  private Inode checkEdge(Inode dir, byte[] name, Inode n) throws CorruptSnapshotException {
    if (!n.isDir()) {
      return n;
    }
    if (n.ino() <= dir.ino()) {
      throw new CorruptSnapshotException(file, "manifest directory inode " + dir.ino() + " has an entry for directory inode "
          + n.ino() + ", which is not below it (a directory loop): damaged manifest");
    }
    Edge first = parents.putIfAbsent(n.ino(), new Edge(dir.ino(), name.clone()));
    if (first != null && (first.parent() != dir.ino() || !Arrays.equals(first.name(), name))) {
      throw new CorruptSnapshotException(file, "manifest directory inode " + n.ino() + " is named in directory "
          + first.parent() + " and again in directory " + dir.ino()
          + " (it has more than one parent; a directory must have exactly one): damaged manifest");
    }
    return n;
  }

  @Override
  public Optional<Inode> resolve(byte[] path) throws IOException {
    Inode cur = root();
    int i = 0;
    while (i <= path.length) {
      int j = i;
      while (j < path.length && path[j] != '/') {
        j++;
      }
      int len = j - i;
      boolean dot = len == 1 && path[i] == '.';
      if (len == 2 && path[i] == '.' && path[i + 1] == '.') {
        throw new IllegalArgumentException("path " + new String(path, StandardCharsets.UTF_8)
            + " contains \"..\"; paths are resolved from the snapshot's root");
      }
      if (len > 0 && !dot) {
        if (!cur.isDir()) {
          return Optional.empty();
        }
        Optional<Inode> next = lookup(cur, Arrays.copyOfRange(path, i, j));
        if (next.isEmpty()) {
          return next;
        }
        cur = next.get();
      }
      i = j + 1;
    }
    return Optional.of(cur);
  }

  @Override
  public List<DirEntry> list(Inode dir, long start, int max) throws IOException {
    checkDir(dir);
    List<DirEntry> out = new ArrayList<>();
    if (start < 0 || start >= dir.size() || max <= 0) {
      return out;
    }
    long end = Math.min(dir.size(), start + max);
    // One read for the run of dirents; names are fetched one by one (they sit together in the heap).
    ByteBuffer raw = readManifest(head.direntOffset(dir.ref() + start), (int) (end - start) * TreeManifest.DIRENT_SIZE);
    for (long i = start; i < end; i++) {
      raw.position((int) (i - start) * TreeManifest.DIRENT_SIZE);
      Dirent d = TreeManifest.decodeDirent(file, head, dir.ref() + i, raw);
      out.add(new DirEntry(name(d), d.ino(), d.type()));
    }
    return out;
  }

  @Override
  public byte[] readlink(Inode link) throws IOException {
    if (!link.isSymlink()) {
      throw new IllegalArgumentException("inode " + link.ino() + " is not a symlink");
    }
    byte[] target = heap(link.ref(), (int) link.size());
    for (byte b : target) {
      if (b == 0) { // no file system can hold it, and paths cannot carry it
        throw new CorruptSnapshotException(file, "manifest holds a symlink target with a NUL byte (inode "
            + link.ino() + "): damaged manifest");
      }
    }
    return target;
  }

  @Override
  public Map<String, byte[]> xattrs(Inode n) throws IOException {
    if (n.xattrLength() == 0) {
      return new LinkedHashMap<>();
    }
    return TreeManifest.decodeXattrs(file, n.ino(), heap(n.xattrOffset(), n.xattrLength()));
  }

  @Override
  public BlockDevice open(Inode f) {
    if (!f.isFile()) {
      throw new IllegalArgumentException("inode " + f.ino() + " is not a regular file");
    }
    return new Slice(data, f.ref(), f.size());
  }

  /** A window of the data stream: one file's content. Thread-safe (the stream is). */
  private static final class Slice extends AbstractBlockDevice {
    private final BlockDevice base;
    private final long start;
    private final long size;

    Slice(BlockDevice base, long start, long size) {
      this.base = base;
      this.start = start;
      this.size = size;
    }

    @Override
    public long size() {
      return size;
    }

    @Override
    protected int readChecked(ByteBuffer dst, long offset) throws IOException {
      int n = (int) Math.min(dst.remaining(), size - offset);
      ByteBuffer d = dst.duplicate();
      d.limit(d.position() + n);
      int got = base.read(d, start + offset);
      if (got > 0) {
        dst.position(dst.position() + got);
      }
      return got;
    }

    /** Straight from the data stream's decoded blocks, no copy into scratch ({@code length} ends inside the file). */
    @Override
    protected int transferChecked(long offset, int length, byte[] scratch, Sink sink) throws IOException {
      return base.transferTo(start + offset, length, scratch, sink);
    }

    /** The data stream is closed with its snapshot. */
    @Override
    public void close() {}
  }
}
