package io.hexz.format;

import java.nio.BufferOverflowException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The manifest of a directory snapshot (incompatible flag TREE): pure encode/decode of its
 * fixed-size parts, with every bound checked before a field is trusted. Stateless.
 *
 * <pre>
 * Manifest   := MHeader Inode[inodeCount] Dirent[direntCount] Heap[heapLength]   -- the manifest stream
 * MHeader    := magic[8] = "HXTREE\0\1"  inodeCount:u64 direntCount:u64 heapLength:u64
 *               dataLength:u64 reserved[20] crc:u32                                -- 64 bytes; crc = CRC32C of bytes 0..59
 * Inode      := mode:u32 nlink:u32 uid:u32 gid:u32 size:u64 mtimeSec:i64 mtimeNsec:u32
 *               xattrLength:u32 xattrOffset:u64 ref:u64 allocated:u64              -- 64 bytes, inode n at 64 + (n-1)*64
 * Dirent     := nameOffset:u64 ino:u32 nameLength:u16 type:u8 reserved:u8          -- 16 bytes
 * Heap       := names, symlink targets and xattr blobs, addressed by offset from the heap's start
 * XattrBlob  := count:u16 ( nameLength:u8 name[nameLength] valueLength:u32 value[valueLength] )*
 *               -- at most XATTR_MAX bytes; encodeXattrs / decodeXattrs are its only writer and reader
 * </pre>
 * Inode 1 is the root directory. {@code ref} means, by the file type in {@code mode}: regular
 * file: offset of its content in the disk stream ({@code size} bytes there); directory: index of
 * its first dirent ({@code size} dirents, sorted by name bytes, unsigned); symlink: heap offset of
 * its target ({@code size} bytes); character/block device: rdev; fifo, socket: 0.
 * {@code allocated} is the bytes of the file's content that are not in holes (st_blocks × 512).
 * A name is 1..255 bytes without '/' or NUL and is neither "." nor "..". Hard links are several
 * dirents with one inode. The directory graph is a tree rooted at inode 1: a directory has exactly
 * one parent, a subdirectory's inode number is above its parent's (no loops), and directories own
 * disjoint runs of dirents, so a whole walk meets at most {@code direntCount} entries.
 */
public final class TreeManifest {
  private TreeManifest() {}

  public static final byte[] MAGIC = {'H', 'X', 'T', 'R', 'E', 'E', 0, 1};
  public static final int HEADER_SIZE = 64;
  public static final int INODE_SIZE = 64;
  public static final int DIRENT_SIZE = 16;
  public static final long ROOT_INO = 1;
  /** Longest name (Linux NAME_MAX). */
  public static final int NAME_MAX = 255;
  /** Longest symlink target (Linux PATH_MAX). */
  public static final int TARGET_MAX = 4096;
  /** Largest xattr blob of one inode. */
  public static final int XATTR_MAX = 1 << 20;
  /** Most inodes (dirent ino is a u32). */
  public static final long MAX_INODES = 0xFFFF_FFFFL;

  public static final int S_IFMT = 0170000;
  public static final int S_IFSOCK = 0140000;
  public static final int S_IFLNK = 0120000;
  public static final int S_IFREG = 0100000;
  public static final int S_IFBLK = 0060000;
  public static final int S_IFDIR = 0040000;
  public static final int S_IFCHR = 0020000;
  public static final int S_IFIFO = 0010000;

  /** The checked manifest header. */
  public record Head(long inodeCount, long direntCount, long heapLength, long dataLength) {
    public long inodeOffset(long ino) {
      return HEADER_SIZE + (ino - 1) * INODE_SIZE;
    }

    public long direntOffset(long index) {
      return HEADER_SIZE + inodeCount * INODE_SIZE + index * DIRENT_SIZE;
    }

    public long heapOffset() {
      return HEADER_SIZE + inodeCount * INODE_SIZE + direntCount * DIRENT_SIZE;
    }

    public byte[] encode() {
      ByteBuffer b = ByteBuffer.allocate(HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
      b.put(MAGIC).putLong(inodeCount).putLong(direntCount).putLong(heapLength).putLong(dataLength);
      b.putInt(HEADER_SIZE - 4, Checksums.crc32c(b.array(), 0, HEADER_SIZE - 4));
      return b.array();
    }
  }

  /**
   * One inode, decoded. {@code ref} and {@code size} as in the grammar above.
   */
  public record Inode(long ino, int mode, int nlink, int uid, int gid, long size, long mtimeSec, int mtimeNsec,
      int xattrLength, long xattrOffset, long ref, long allocated) {

    public int type() {
      return mode & S_IFMT;
    }

    public boolean isDir() {
      return type() == S_IFDIR;
    }

    public boolean isFile() {
      return type() == S_IFREG;
    }

    public boolean isSymlink() {
      return type() == S_IFLNK;
    }

    /** Device number of a character or block device, else 0. */
    public long rdev() {
      return type() == S_IFCHR || type() == S_IFBLK ? ref : 0;
    }

    public void encode(ByteBuffer b) {
      b.putInt(mode).putInt(nlink).putInt(uid).putInt(gid).putLong(size).putLong(mtimeSec).putInt(mtimeNsec)
          .putInt(xattrLength).putLong(xattrOffset).putLong(ref).putLong(allocated);
    }
  }

  /** One directory entry, decoded: name bytes live in the heap. */
  public record Dirent(long nameOffset, long ino, int nameLength, int type) {
    public void encode(ByteBuffer b) {
      b.putLong(nameOffset).putInt((int) ino).putShort((short) nameLength).put((byte) type).put((byte) 0);
    }
  }

  /** File types with their `ls -l` letter and a name, in one table. */
  private static final int[] TYPES = {S_IFDIR, S_IFREG, S_IFLNK, S_IFCHR, S_IFBLK, S_IFIFO, S_IFSOCK};
  private static final String LETTERS = "d-lcbps";
  private static final String[] NAMES = {"dir", "file", "symlink", "char", "block", "fifo", "socket"};

  private static int typeIndex(int mode) {
    for (int i = 0; i < TYPES.length; i++) {
      if ((mode & S_IFMT) == TYPES[i]) {
        return i;
      }
    }
    return -1;
  }

  /** "dir", "file", "symlink", "char", "block", "fifo", "socket" or "unknown". */
  public static String typeName(int mode) {
    int i = typeIndex(mode);
    return i < 0 ? "unknown" : NAMES[i];
  }

  /** The mode as `ls -l` shows it, e.g. "drwxr-xr-x" (set-id and sticky bits are not shown). */
  public static String modeString(int mode) {
    int i = typeIndex(mode);
    StringBuilder sb = new StringBuilder().append(i < 0 ? '?' : LETTERS.charAt(i));
    String rwx = "rwxrwxrwx";
    for (int b = 0; b < 9; b++) {
      sb.append((mode & (1 << (8 - b))) != 0 ? rwx.charAt(b) : '-');
    }
    return sb.toString();
  }

  /** dirent type byte for a mode (the DT_* values of readdir). */
  public static int direntType(int mode) {
    return (mode & S_IFMT) >>> 12;
  }

  /** Decodes and checks the manifest header against the manifest and data stream sizes. */
  public static Head decodeHead(String file, byte[] raw, long manifestSize, long dataSize)
      throws CorruptSnapshotException {
    if (raw.length != HEADER_SIZE) {
      throw new CorruptSnapshotException(file, "manifest is too short for its header");
    }
    ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    if (b.getInt(HEADER_SIZE - 4) != Checksums.crc32c(raw, 0, HEADER_SIZE - 4)) {
      throw new CorruptSnapshotException(file, "manifest header checksum mismatch: damaged manifest");
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (raw[i] != MAGIC[i]) {
        throw new CorruptSnapshotException(file, "manifest has bad magic");
      }
    }
    long inodes = b.getLong(8);
    long dirents = b.getLong(16);
    long heap = b.getLong(24);
    long data = b.getLong(32);
    boolean ok = inodes >= 1 && inodes <= MAX_INODES && dirents >= 0 && dirents < (1L << 40) && heap >= 0
        && heap <= manifestSize && data == dataSize
        && HEADER_SIZE + inodes * INODE_SIZE + dirents * DIRENT_SIZE + heap == manifestSize;
    if (!ok) {
      throw new CorruptSnapshotException(file, "manifest header counts (" + inodes + " inodes, " + dirents
          + " dirents, " + heap + " heap bytes, data " + data + ") do not fit its size " + manifestSize
          + " and the data stream's " + dataSize + ": damaged manifest");
    }
    return new Head(inodes, dirents, heap, data);
  }

  /** Decodes inode {@code ino} from its 64 bytes and checks every reference against {@code h}. */
  public static Inode decodeInode(String file, Head h, long ino, ByteBuffer raw) throws CorruptSnapshotException {
    ByteBuffer b = raw.order(ByteOrder.LITTLE_ENDIAN);
    int p = b.position();
    Inode n = new Inode(ino, b.getInt(p), b.getInt(p + 4), b.getInt(p + 8), b.getInt(p + 12), b.getLong(p + 16),
        b.getLong(p + 24), b.getInt(p + 32), b.getInt(p + 36), b.getLong(p + 40), b.getLong(p + 48),
        b.getLong(p + 56));
    String bad = null;
    if (n.nlink() < 1) {
      bad = "link count " + Integer.toUnsignedString(n.nlink());
    } else if (n.size() < 0 || n.mtimeNsec() < 0 || n.mtimeNsec() > 999_999_999 || n.allocated() < 0
        || n.mtimeSec() < java.time.Instant.MIN.getEpochSecond() || n.mtimeSec() > java.time.Instant.MAX.getEpochSecond()) {
      // Times beyond java.time.Instant (a billion years) are no file's; extract could not set them.
      bad = "size, time or allocation out of range";
    } else if (n.xattrLength() < 0 || n.xattrLength() > XATTR_MAX || n.xattrOffset() < 0
        || n.xattrOffset() > h.heapLength() - n.xattrLength()) {
      bad = "xattrs outside the heap";
    } else {
      switch (n.type()) {
        case S_IFREG:
          if (n.ref() < 0 || n.ref() > h.dataLength() - n.size()) {
            bad = "content outside the data stream";
          }
          break;
        case S_IFDIR:
          if (n.ref() < 0 || n.size() > h.direntCount() - n.ref() || n.ref() > h.direntCount()) {
            bad = "entries outside the dirent table";
          }
          break;
        case S_IFLNK:
          if (n.size() < 1 || n.size() > TARGET_MAX || n.ref() < 0 || n.ref() > h.heapLength() - n.size()) {
            bad = "symlink target outside the heap or longer than " + TARGET_MAX;
          }
          break;
        case S_IFCHR:
        case S_IFBLK:
        case S_IFIFO:
        case S_IFSOCK:
          break;
        default:
          bad = "unknown file type " + Integer.toOctalString(n.type());
      }
    }
    if (ino == ROOT_INO && !n.isDir()) {
      bad = "root is not a directory";
    }
    if (bad != null) {
      throw new CorruptSnapshotException(file, "manifest inode " + ino + ": " + bad + ": damaged manifest");
    }
    return n;
  }

  /** Decodes dirent {@code index} and checks it against {@code h}. */
  public static Dirent decodeDirent(String file, Head h, long index, ByteBuffer raw) throws CorruptSnapshotException {
    ByteBuffer b = raw.order(ByteOrder.LITTLE_ENDIAN);
    int p = b.position();
    Dirent d = new Dirent(b.getLong(p), Integer.toUnsignedLong(b.getInt(p + 8)), Short.toUnsignedInt(b.getShort(p + 12)),
        Byte.toUnsignedInt(b.get(p + 14)));
    if (d.ino() < 1 || d.ino() > h.inodeCount() || d.nameLength() < 1 || d.nameLength() > NAME_MAX
        || d.nameOffset() < 0 || d.nameOffset() > h.heapLength() - d.nameLength()) {
      throw new CorruptSnapshotException(file, "manifest dirent " + index + " points outside the manifest"
          + " (inode " + d.ino() + ", name of " + d.nameLength() + " bytes): damaged manifest");
    }
    return d;
  }

  /**
   * The XattrBlob of {@code xattrs}, entries in the map's order (a writer passes them sorted by
   * name, so equal attributes make equal bytes). Names are UTF-8, 1..255 bytes.
   *
   * @throws IllegalArgumentException if the blob would exceed {@link #XATTR_MAX} bytes or a name
   *     or the count does not fit its field
   */
  public static byte[] encodeXattrs(Map<String, byte[]> xattrs) {
    if (xattrs.size() > 0xFFFF) {
      throw new IllegalArgumentException(xattrs.size() + " extended attributes, at most 65535 allowed");
    }
    ByteBuffer b = ByteBuffer.allocate(XATTR_MAX).order(ByteOrder.LITTLE_ENDIAN);
    b.putShort((short) xattrs.size());
    try {
      for (Map.Entry<String, byte[]> e : xattrs.entrySet()) {
        byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
        if (name.length < 1 || name.length > NAME_MAX) {
          throw new IllegalArgumentException("extended attribute name of " + name.length + " bytes, 1.."
              + NAME_MAX + " allowed");
        }
        b.put((byte) name.length).put(name).putInt(e.getValue().length).put(e.getValue());
      }
    } catch (BufferOverflowException e) {
      throw new IllegalArgumentException("extended attributes exceed " + XATTR_MAX + " bytes");
    }
    return Arrays.copyOf(b.array(), b.position());
  }

  /**
   * The attributes in an XattrBlob of inode {@code ino}, in blob order; every length is checked
   * against the blob before anything is read or allocated.
   */
  public static Map<String, byte[]> decodeXattrs(String file, long ino, byte[] blob) throws CorruptSnapshotException {
    Map<String, byte[]> out = new LinkedHashMap<>();
    ByteBuffer b = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN);
    try {
      int count = Short.toUnsignedInt(b.getShort());
      for (int i = 0; i < count; i++) {
        byte[] name = new byte[Byte.toUnsignedInt(b.get())];
        b.get(name);
        int len = b.getInt();
        if (len < 0 || len > b.remaining()) {
          throw new BufferUnderflowException();
        }
        byte[] value = new byte[len];
        b.get(value);
        out.put(new String(name, StandardCharsets.UTF_8), value);
      }
    } catch (BufferUnderflowException e) {
      throw new CorruptSnapshotException(file, "manifest inode " + ino + " has a malformed xattr blob: damaged manifest");
    }
    return out;
  }

  /** Whether {@code name} is a legal single path component: 1..255 bytes, no '/' or NUL, not "." or "..". */
  public static boolean isValidName(byte[] name) {
    if (name.length < 1 || name.length > NAME_MAX) {
      return false;
    }
    if (name[0] == '.' && (name.length == 1 || (name.length == 2 && name[1] == '.'))) {
      return false;
    }
    for (byte c : name) {
      if (c == '/' || c == 0) {
        return false;
      }
    }
    return true;
  }
}
