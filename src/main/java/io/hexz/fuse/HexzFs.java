package io.hexz.fuse;

import io.hexz.overlay.Overlay;
import io.hexz.read.BlockDevice;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jnr.ffi.Pointer;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import ru.serce.jnrfuse.ErrorCodes;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;

/**
 * The FUSE file system: a fixed tree of directories and block files, each file backed by a
 * {@link BlockDevice}. Every callback goes through {@link Errno#guard}.
 *
 * <p>Concurrency: thread-safe. The tree is built before mounting and never changes; devices are
 * thread-safe; per-thread transfer buffers avoid allocation on the read and write paths.
 */
final class HexzFs extends FuseFs {
  private static final int O_ACCMODE = 3;
  private static final int MAX_IO = 1 << 20;

  /** A node of the tree: a directory (children) or a file (device). */
  static final class Node {
    final Map<String, Node> children; // null for files
    final BlockDevice device; // null for directories
    final boolean writable;

    private Node(Map<String, Node> children, BlockDevice device, boolean writable) {
      this.children = children;
      this.device = device;
      this.writable = writable;
    }

    static Node dir() {
      return new Node(new LinkedHashMap<>(), null, false);
    }

    static Node file(BlockDevice d, boolean writable) {
      return new Node(null, d, writable);
    }
  }

  private static final ThreadLocal<byte[]> BUFFER = ThreadLocal.withInitial(() -> new byte[128 << 10]);
  private static final ThreadLocal<PointerSink> SINK = ThreadLocal.withInitial(PointerSink::new);

  /**
   * Copies what a device delivers straight into FUSE's reply buffer: one copy from a decoded
   * block to native memory. Per thread, reused for every read, so not thread-safe.
   */
  private static final class PointerSink implements BlockDevice.Sink {
    private Pointer buf;
    private long pos;

    void start(Pointer p) {
      buf = p;
      pos = 0;
    }

    @Override
    public void bytes(byte[] src, int offset, int length) {
      buf.put(pos, src, offset, length);
      pos += length;
    }

    @Override
    public void zeros(int length) {
      buf.setMemory(pos, length, (byte) 0);
      pos += length;
    }
  }

  private final Map<String, Node> byPath = new LinkedHashMap<>();
  private final String fsName;
  private final long uid;
  private final long gid;
  private final long mtime;

  HexzFs(String fsName, long uid, long gid, long mtimeSeconds) {
    this.fsName = fsName;
    this.uid = uid;
    this.gid = gid;
    this.mtime = mtimeSeconds;
    byPath.put("/", Node.dir());
  }

  /** Adds a file at {@code path} ("/disk", "/name/disk"), creating parent directories. */
  void addFile(String path, BlockDevice device, boolean writable) {
    String[] parts = path.substring(1).split("/");
    String cur = "";
    Node dir = byPath.get("/");
    for (int i = 0; i < parts.length - 1; i++) {
      cur += "/" + parts[i];
      Node next = byPath.get(cur);
      if (next == null) {
        next = Node.dir();
        byPath.put(cur, next);
        dir.children.put(parts[i], next);
      }
      dir = next;
    }
    Node f = Node.file(device, writable);
    byPath.put(path, f);
    dir.children.put(parts[parts.length - 1], f);
  }

  /** Every device in the tree (for closing). */
  List<BlockDevice> devices() {
    List<BlockDevice> out = new ArrayList<>();
    for (Node n : byPath.values()) {
      if (n.device != null) {
        out.add(n.device);
      }
    }
    return out;
  }

  @Override
  public String getFSName() {
    return fsName;
  }

  private Node node(String path) {
    Node n = byPath.get(path);
    if (n == null) {
      throw new Errno.FuseError(ErrorCodes.ENOENT(), path);
    }
    return n;
  }

  private Node file(String path) {
    Node n = node(path);
    if (n.device == null) {
      throw new Errno.FuseError(ErrorCodes.EISDIR(), path);
    }
    return n;
  }

  /** Reads up to {@code size} bytes of {@code d} at {@code offset} into FUSE's buffer; returns the count. */
  static int readInto(BlockDevice d, Pointer buf, long size, long offset) throws java.io.IOException {
    if (offset < 0) {
      return -ErrorCodes.EINVAL();
    }
    long devSize = d.size();
    if (offset >= devSize || size <= 0) {
      return 0;
    }
    int n = (int) Math.min(Math.min(size, MAX_IO), devSize - offset);
    PointerSink sink = SINK.get();
    sink.start(buf);
    try {
      return d.transferTo(offset, n, buffer(n), sink);
    } finally {
      sink.start(null);
    }
  }

  /** A read-only file system's statfs: its size, its file count, nothing free. */
  static void fillStatfs(Statvfs st, long bytes, long files) {
    st.f_bsize.set(4096);
    st.f_frsize.set(4096);
    st.f_blocks.set((bytes + 4095) / 4096);
    st.f_bfree.set(0);
    st.f_bavail.set(0);
    st.f_files.set(files);
    st.f_ffree.set(0);
    st.f_namemax.set(255);
  }

  /** This thread's transfer buffer, grown to at least {@code size} bytes (at most 1 MiB). */
  static byte[] buffer(long size) {
    byte[] b = BUFFER.get();
    if (b.length < size) {
      b = new byte[(int) Math.min(MAX_IO, Math.max(size, b.length * 2L))];
      BUFFER.set(b);
    }
    return b;
  }

  @Override
  public int getattr(String path, FileStat stat) {
    return Errno.guard("getattr", path, () -> {
      Node n = node(path);
      stat.st_uid.set(uid);
      stat.st_gid.set(gid);
      stat.st_mtim.tv_sec.set(mtime);
      stat.st_ctim.tv_sec.set(mtime);
      stat.st_atim.tv_sec.set(mtime);
      if (n.device == null) {
        stat.st_mode.set(FileStat.S_IFDIR | 0555);
        stat.st_nlink.set(2 + n.children.values().stream().filter(c -> c.device == null).count());
      } else {
        long size = n.device.size();
        stat.st_mode.set(FileStat.S_IFREG | (n.writable ? 0644 : 0444));
        stat.st_nlink.set(1);
        stat.st_size.set(size);
        stat.st_blocks.set((size + 511) / 512);
        stat.st_blksize.set(128 << 10);
      }
      return 0;
    });
  }

  @Override
  public int readdir(String path, Pointer buf, FuseFillDir filler, @off_t long offset, FuseFileInfo fi) {
    return Errno.guard("readdir", path, () -> {
      Node n = node(path);
      if (n.children == null) {
        return -ErrorCodes.ENOTDIR();
      }
      filler.apply(buf, ".", null, 0);
      filler.apply(buf, "..", null, 0);
      for (String name : n.children.keySet()) {
        filler.apply(buf, name, null, 0);
      }
      return 0;
    });
  }

  @Override
  public int open(String path, FuseFileInfo fi) {
    return Errno.guard("open", path, () -> {
      Node n = file(path);
      int acc = fi.flags.get() & O_ACCMODE;
      if (acc != 0 && !n.writable) {
        return -ErrorCodes.EROFS();
      }
      return 0;
    });
  }

  @Override
  public int read(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
    return Errno.guard("read", path, () -> {
      return readInto(file(path).device, buf, size, offset);
    });
  }

  @Override
  public int write(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
    return Errno.guard("write", path, () -> {
      Node n = file(path);
      if (!n.writable) {
        return -ErrorCodes.EROFS();
      }
      if (size > MAX_IO) {
        return -ErrorCodes.EINVAL();
      }
      if (offset < 0 || offset + size > n.device.size()) {
        return -ErrorCodes.ENOSPC(); // writes never grow the disk (truncate does)
      }
      byte[] b = buffer(size);
      buf.get(0, b, 0, (int) size);
      n.device.write(ByteBuffer.wrap(b, 0, (int) size), offset);
      return (int) size;
    });
  }

  /** fallocate(2) modes (linux/falloc.h). */
  private static final int FALLOC_FL_KEEP_SIZE = 0x01;
  private static final int FALLOC_FL_PUNCH_HOLE = 0x02;
  private static final int FALLOC_FL_ZERO_RANGE = 0x10;

  /**
   * Punch-hole (with keep-size, as the kernel requires) and zero-range discard the range: it reads
   * as zeros and the overlay gives its pages up (a guest's fstrim through QEMU's discard=unmap).
   * Plain allocation is refused: a block file is already as large as it can be, and promising
   * space for later writes is not something an append-only overlay can do.
   */
  @Override
  public int fallocate(String path, int mode, @off_t long offset, @off_t long length, FuseFileInfo fi) {
    return Errno.guard("fallocate", path, () -> {
      Node n = file(path);
      if (!n.writable) {
        return -ErrorCodes.EROFS();
      }
      boolean punch = mode == (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE);
      boolean zero = (mode & ~FALLOC_FL_KEEP_SIZE) == FALLOC_FL_ZERO_RANGE;
      if (!punch && !zero) {
        return -ErrorCodes.EOPNOTSUPP();
      }
      if (offset < 0 || length <= 0) {
        return -ErrorCodes.EINVAL();
      }
      long size = n.device.size();
      if ((mode & FALLOC_FL_KEEP_SIZE) == 0 && offset + length > size) {
        return -ErrorCodes.ENOSPC(); // zero-range would have to grow the file: a block file cannot
      }
      if (offset >= size) {
        return 0; // past the end with keep-size: nothing to do
      }
      n.device.discard(offset, Math.min(length, size - offset));
      return 0;
    });
  }

  @Override
  public int truncate(String path, @off_t long size) {
    return Errno.guard("truncate", path, () -> {
      Node n = file(path);
      if (!n.writable) {
        return -ErrorCodes.EROFS();
      }
      long now = n.device.size();
      if (size == now) {
        return 0; // what O_TRUNC-free tools do
      }
      if (size < now || !(n.device instanceof Overlay ov)) {
        // Shrinking drops data for good: only `hexz overlay resize --shrink`, offline, does it.
        throw new Errno.FuseError(ErrorCodes.EPERM(), path + ": shrinking the disk from " + now + " to " + size
            + " bytes is refused on a mount");
      }
      ov.resize(size, false); // a multiple of 4096, else EINVAL
      return 0;
    });
  }

  @Override
  public int fsync(String path, int isdatasync, FuseFileInfo fi) {
    return Errno.guard("fsync", path, () -> {
      file(path).device.flush();
      return 0;
    });
  }

  @Override
  public int flush(String path, FuseFileInfo fi) {
    return Errno.guard("flush", path, () -> 0);
  }

  @Override
  public int release(String path, FuseFileInfo fi) {
    return Errno.guard("release", path, () -> 0);
  }

  @Override
  public int access(String path, int mask) {
    return Errno.guard("access", path, () -> {
      Node n = node(path);
      return (mask & 2) != 0 && !n.writable ? -ErrorCodes.EROFS() : 0;
    });
  }

  @Override
  public int statfs(String path, Statvfs st) {
    return Errno.guard("statfs", path, () -> {
      long total = 0;
      for (BlockDevice d : devices()) {
        total += d.size();
      }
      fillStatfs(st, total, byPath.size());
      return 0;
    });
  }
}
