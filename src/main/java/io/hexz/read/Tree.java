package io.hexz.read;

import io.hexz.format.TreeManifest.Inode;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The file tree of a directory snapshot: stat by inode number, name lookup, directory listing,
 * symlink targets, extended attributes and file contents as block devices. Everything is read
 * on demand through the snapshot's block cache; nothing is held per file. Thread-safe.
 *
 * <p>Damage is a {@link io.hexz.format.CorruptSnapshotException} naming the snapshot and the
 * inode or dirent; it affects only the entries whose manifest blocks are damaged.
 */
public interface Tree {

  /** One directory entry: the name's exact bytes (not assumed UTF-8), its inode and DT_* type. */
  record DirEntry(byte[] name, long ino, int type) {
    public DirEntry {
      name = name.clone();
    }

    @Override
    public byte[] name() {
      return name.clone();
    }

    /** The name decoded as UTF-8 (invalid bytes become U+FFFD: for display only). */
    public String nameString() {
      return new String(name, StandardCharsets.UTF_8);
    }
  }

  /** The root directory (inode 1). */
  Inode root() throws IOException;

  /** Inode {@code ino} (1..inodeCount()). */
  Inode stat(long ino) throws IOException;

  /** Number of inodes. */
  long inodeCount();

  /**
   * Number of dirents in the manifest: in a well-formed tree every directory has one parent and
   * its own run of dirents, so a whole walk meets at most this many entries.
   */
  long direntCount();

  /**
   * The inode an entry of {@code dir} names, checked against the entry: its type must match the
   * entry's, and a subdirectory must be numbered above {@code dir} (so no walk loops).
   */
  Inode child(Inode dir, DirEntry entry) throws IOException;

  /** The entry called {@code name} in directory {@code dir}; a binary search over its sorted entries. */
  Optional<Inode> lookup(Inode dir, byte[] name) throws IOException;

  /**
   * The inode at {@code path} ("/" separated bytes from the root; empty components and "." are
   * skipped; symlinks are not followed). A ".." component is refused with IllegalArgumentException.
   */
  Optional<Inode> resolve(byte[] path) throws IOException;

  /** {@link #resolve(byte[])} of the UTF-8 bytes of {@code path}. */
  default Optional<Inode> resolve(String path) throws IOException {
    return resolve(path.getBytes(StandardCharsets.UTF_8));
  }

  /** Up to {@code max} entries of {@code dir} from index {@code start}, in name-byte order. */
  List<DirEntry> list(Inode dir, long start, int max) throws IOException;

  /** The target of a symlink, as bytes. */
  byte[] readlink(Inode link) throws IOException;

  /** Extended attributes by full name ("user.x", "security.y"), in stored order. */
  Map<String, byte[]> xattrs(Inode n) throws IOException;

  /** The content of a regular file as a read-only block device (thread-safe, cache-backed). */
  BlockDevice open(Inode file) throws IOException;

  /** A seekable read-only channel over a regular file's content. */
  default SeekableByteChannel channel(Inode file) throws IOException {
    return new BlockDeviceChannel(open(file));
  }
}
