package io.hexz.fuse;

import io.hexz.format.TreeManifest.Inode;
import io.hexz.read.Tree;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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
 * The FUSE file system of a directory snapshot: the stored tree, read-only, with its modes,
 * owners, times, link counts, symlinks, xattrs and inode numbers (mounted with {@code use_ino},
 * so they are stable). Every callback goes through {@link Errno#guard}; a damaged manifest entry
 * or block is EIO for the entries it affects, logged with the snapshot's name.
 *
 * <p>Concurrency: thread-safe. The tree reads through the thread-safe block cache; the only state
 * here is a bounded path-to-inode cache (guarded by its own lock), which saves re-walking every
 * parent on each call (libfuse2's high-level API passes full paths).
 */
final class TreeFs extends FuseFs {
  private static final int O_ACCMODE = 3;
  private static final int PATH_CACHE = 1 << 16;
  /** Entries read from the manifest per step of a listing (a kernel buffer holds about 100-200). */
  private static final int READDIR_PAGE = 256;
  /**
   * How jnr turned the kernel's path bytes into the String we get: the JVM's default charset.
   * The mount process runs with ISO-8859-1 (MountCommand), which maps every byte to one char and
   * back, so names that are not UTF-8 resolve too.
   */
  private static final java.nio.charset.Charset PATH_CHARSET = java.nio.charset.Charset.defaultCharset();

  private final String fsName;
  private final Tree tree;
  private final long uid;
  private final long gid;
  private final long totalBytes;
  private final Map<String, Long> paths = new LinkedHashMap<>(1024, 0.75f, true) { // guarded by itself
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Long> e) {
      return size() > PATH_CACHE;
    }
  };

  /**
   * @param uid owner shown for every entry, or -1 for the stored owners (likewise gid)
   * @param totalBytes the size statfs reports
   */
  TreeFs(String fsName, Tree tree, long uid, long gid, long totalBytes) {
    this.fsName = fsName;
    this.tree = tree;
    this.uid = uid;
    this.gid = gid;
    this.totalBytes = totalBytes;
  }

  @Override
  public String getFSName() {
    return fsName;
  }

  /** The inode at a FUSE path; ENOENT when there is none. */
  private Inode inode(String path) throws IOException {
    if (path.equals("/")) {
      return tree.root();
    }
    Long ino;
    synchronized (paths) {
      ino = paths.get(path);
    }
    if (ino != null) {
      return tree.stat(ino);
    }
    int slash = path.lastIndexOf('/');
    Inode dir = inode(slash == 0 ? "/" : path.substring(0, slash));
    if (!dir.isDir()) {
      throw new Errno.FuseError(ErrorCodes.ENOTDIR(), path);
    }
    Inode n = tree.lookup(dir, path.substring(slash + 1).getBytes(PATH_CHARSET))
        .orElseThrow(() -> new Errno.FuseError(ErrorCodes.ENOENT(), path));
    synchronized (paths) {
      paths.put(path, n.ino());
    }
    return n;
  }

  @Override
  public int getattr(String path, FileStat st) {
    return Errno.guard("getattr", path, () -> {
      Inode n = inode(path);
      st.st_ino.set(n.ino());
      st.st_mode.set(n.mode());
      st.st_nlink.set(n.nlink());
      st.st_uid.set(uid >= 0 ? uid : Integer.toUnsignedLong(n.uid()));
      st.st_gid.set(gid >= 0 ? gid : Integer.toUnsignedLong(n.gid()));
      st.st_size.set(n.isDir() ? 4096 : n.isFile() || n.isSymlink() ? n.size() : 0);
      st.st_rdev.set(n.rdev());
      st.st_blocks.set(n.isFile() ? (n.allocated() + 511) / 512 : n.isDir() ? 8 : 0);
      st.st_blksize.set(128 << 10);
      for (var t : List.of(st.st_mtim, st.st_atim, st.st_ctim)) {
        t.tv_sec.set(n.mtimeSec());
        t.tv_nsec.set(n.mtimeNsec());
      }
      return 0;
    });
  }

  /**
   * Lists a directory a buffer at a time: every entry is handed to libfuse with a non-zero offset
   * (1 for ".", 2 for "..", 3 + i for entry i, each the offset of the next), which puts libfuse in
   * offset mode: it passes the filled buffer to the kernel when the filler reports it full
   * (returns non-zero) and calls again with the offset where the kernel wants to go on. So memory
   * is one buffer and one page of entries, however large the directory.
   */
  @Override
  public int readdir(String path, Pointer buf, FuseFillDir filler, @off_t long offset, FuseFileInfo fi) {
    return Errno.guard("readdir", path, () -> {
      Inode dir = inode(path);
      if (!dir.isDir()) {
        return -ErrorCodes.ENOTDIR();
      }
      if (offset < 1 && filler.apply(buf, ".", null, 1) != 0) {
        return 0;
      }
      if (offset < 2 && filler.apply(buf, "..", null, 2) != 0) {
        return 0;
      }
      for (long at = Math.max(0, offset - 2); at < dir.size(); ) {
        List<Tree.DirEntry> page = tree.list(dir, at, READDIR_PAGE);
        if (page.isEmpty()) {
          break;
        }
        for (Tree.DirEntry e : page) {
          byte[] name = e.name();
          // Names are bytes: handed to libfuse as they are, NUL-terminated, never re-encoded.
          ByteBuffer b = ByteBuffer.allocate(name.length + 1).put(name).put((byte) 0).flip();
          if (filler.apply(buf, b, null, 3 + at) != 0) {
            return 0; // the buffer is full: the kernel asks again from entry `at`
          }
          at++;
        }
      }
      return 0;
    });
  }

  @Override
  public int readlink(String path, Pointer buf, @size_t long size) {
    return Errno.guard("readlink", path, () -> {
      Inode n = inode(path);
      if (!n.isSymlink()) {
        return -ErrorCodes.EINVAL();
      }
      byte[] t = tree.readlink(n);
      int len = (int) Math.min(t.length, Math.max(0, size - 1));
      buf.put(0, t, 0, len);
      buf.putByte(len, (byte) 0);
      return 0;
    });
  }

  @Override
  public int getxattr(String path, String name, Pointer value, @size_t long size) {
    return Errno.guard("getxattr", path, () -> {
      byte[] v = tree.xattrs(inode(path)).get(xattrKey(name));
      if (v == null) {
        return -ErrorCodes.ENODATA();
      }
      return copyOut(v, value, size);
    });
  }

  /**
   * The key {@link Tree#xattrs} uses for a name as jnr handed it to us: jnr decoded the kernel's
   * bytes with {@link #PATH_CHARSET} (ISO-8859-1 in the mount process), the tree keys names by
   * their UTF-8 decoding, so the bytes are recovered first.
   */
  static String xattrKey(String fromFuse) {
    return new String(fromFuse.getBytes(PATH_CHARSET), StandardCharsets.UTF_8);
  }

  @Override
  public int listxattr(String path, Pointer list, @size_t long size) {
    return Errno.guard("listxattr", path, () -> {
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      boolean root = callerIsRoot();
      for (String n : tree.xattrs(inode(path)).keySet()) {
        if (!root && n.startsWith("trusted.")) {
          continue;
        }
        out.writeBytes(n.getBytes(StandardCharsets.UTF_8));
        out.write(0);
      }
      return copyOut(out.toByteArray(), list, size);
    });
  }

  /** The xattr size protocol: size 0 asks for the length, a short buffer is ERANGE. */
  private static int copyOut(byte[] v, Pointer dst, long size) {
    if (size == 0) {
      return v.length;
    }
    if (size < v.length) {
      return -ErrorCodes.ERANGE();
    }
    dst.put(0, v, 0, v.length);
    return v.length;
  }

  @Override
  public int open(String path, FuseFileInfo fi) {
    return Errno.guard("open", path, () -> {
      Inode n = inode(path);
      if ((fi.flags.get() & O_ACCMODE) != 0) {
        return -ErrorCodes.EROFS();
      }
      if (n.isDir()) {
        return -ErrorCodes.EISDIR();
      }
      fi.fh.set(n.ino());
      return 0;
    });
  }

  @Override
  public int read(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
    return Errno.guard("read", path, () -> {
      long ino = fi.fh.get();
      Inode n = ino > 0 ? tree.stat(ino) : inode(path);
      if (!n.isFile()) {
        return -ErrorCodes.EINVAL();
      }
      return HexzFs.readInto(tree.open(n), buf, size, offset);
    });
  }

  @Override
  public int release(String path, FuseFileInfo fi) {
    return Errno.guard("release", path, () -> 0);
  }

  @Override
  public int access(String path, int mask) {
    return Errno.guard("access", path, () -> {
      inode(path);
      return (mask & 2) != 0 ? -ErrorCodes.EROFS() : 0;
    });
  }

  @Override
  public int statfs(String path, Statvfs st) {
    return Errno.guard("statfs", path, () -> {
      HexzFs.fillStatfs(st, totalBytes, tree.inodeCount());
      return 0;
    });
  }
}
