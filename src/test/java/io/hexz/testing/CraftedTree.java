package io.hexz.testing;

import io.hexz.codec.CodecType;
import io.hexz.format.StreamKind;
import io.hexz.format.TreeManifest;
import io.hexz.write.SnapshotWriter;
import io.hexz.write.Writers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A directory-snapshot manifest put together by hand, entry by entry, with the format's own
 * encoders, so tests can write the shapes the builder never makes (a directory with two parents,
 * an entry back to the root, shared dirent ranges, odd names and times). Not thread-safe.
 */
public final class CraftedTree {
  /** One inode's fields, mutable until {@link #write}. */
  public static final class Node {
    public int mode;
    public int nlink = 1;
    public long size;
    public long ref;
    public long mtimeSec = 1_000_000_000L;
    public int mtimeNsec;
    public int xattrLength;
    public long xattrOffset;

    Node(int mode) {
      this.mode = mode;
    }
  }

  private final List<Node> nodes = new ArrayList<>();
  private final ByteArrayOutputStream dirents = new ByteArrayOutputStream();
  private final ByteArrayOutputStream heap = new ByteArrayOutputStream();
  private byte[] data = new byte[4096];

  /** Starts with inode 1, an empty root directory (mode 0755). */
  public CraftedTree() {
    add(TreeManifest.S_IFDIR | 0755);
  }

  /** Adds an inode and returns its number. */
  public long add(int mode) {
    nodes.add(new Node(mode));
    return nodes.size();
  }

  public Node node(long ino) {
    return nodes.get((int) ino - 1);
  }

  /** Index of the next dirent appended. */
  public long direntCount() {
    return dirents.size() / TreeManifest.DIRENT_SIZE;
  }

  /** Bytes appended to the heap; returns their offset. */
  public long heap(byte[] bytes) {
    long at = heap.size();
    heap.writeBytes(bytes);
    return at;
  }

  /** Appends a dirent naming {@code ino} by the heap bytes at {@code nameOffset}; returns its index. */
  public long dirent(long nameOffset, int nameLength, long ino) {
    ByteBuffer d = ByteBuffer.allocate(TreeManifest.DIRENT_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    new TreeManifest.Dirent(nameOffset, ino, nameLength, TreeManifest.direntType(node(ino).mode)).encode(d);
    dirents.writeBytes(d.array());
    return direntCount() - 1;
  }

  /** Appends a dirent whose name is stored anew in the heap. */
  public long dirent(String name, long ino) {
    return dirent(name.getBytes(StandardCharsets.UTF_8), ino);
  }

  public long dirent(byte[] name, long ino) {
    return dirent(heap(name), name.length, ino);
  }

  /**
   * Gives directory {@code dir} the entries {@code names} → {@code inos} (sorted by the caller),
   * appended as one run of dirents.
   */
  public void entries(long dir, List<String> names, List<Long> inos) {
    node(dir).ref = direntCount();
    node(dir).size = names.size();
    for (int i = 0; i < names.size(); i++) {
      dirent(names.get(i), inos.get(i));
    }
  }

  /** The disk stream (file contents); 4096 zero bytes unless set. */
  public void data(byte[] bytes) {
    data = bytes.clone();
  }

  /** The manifest stream's bytes. */
  public byte[] manifest() {
    TreeManifest.Head h = new TreeManifest.Head(nodes.size(), direntCount(), heap.size(), data.length);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(h.encode());
    for (int i = 0; i < nodes.size(); i++) {
      Node n = nodes.get(i);
      ByteBuffer b = ByteBuffer.allocate(TreeManifest.INODE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
      new TreeManifest.Inode(i + 1, n.mode, n.nlink, 0, 0, n.size, n.mtimeSec, n.mtimeNsec, n.xattrLength, n.xattrOffset, n.ref,
          0).encode(b);
      out.writeBytes(b.array());
    }
    out.writeBytes(dirents.toByteArray());
    out.writeBytes(heap.toByteArray());
    return out.toByteArray();
  }

  /** Writes a directory snapshot holding this tree to {@code file} (blocks stored raw: damage is easy to aim). */
  public Path write(Path file) throws IOException {
    try (SnapshotWriter w = Writers.create(file, Snaps.options(4096, CodecType.NONE, 0, true).build())) {
      w.addBytes(StreamKind.DISK, data);
      w.addBytes(StreamKind.MANIFEST, manifest());
      w.finish();
    }
    return file;
  }
}
