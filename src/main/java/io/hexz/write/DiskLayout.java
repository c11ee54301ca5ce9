package io.hexz.write;

import io.hexz.format.Checksums;
import io.hexz.format.TreeManifest.Inode;
import io.hexz.read.BlockDevice;
import io.hexz.read.Tree;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Lays the contents of a directory snapshot's regular files out in its disk stream, in the order
 * the walk hands them over, and says where each one went.
 *
 * <p>Layout, and why: files smaller than a block are packed back to back (like squashfs
 * fragments), so a block holds many small files and compresses with their shared context instead
 * of each padding a block; larger files start on a block boundary so that identical files and
 * identical blocks across files deduplicate through the block store, and holes become ZERO blocks
 * that cost no payload. Identical small files are stored once (a SHA-256 per distinct small
 * file). With a parent, the parent's whole disk stream is referenced first (PARENT blocks, no
 * payload) and a file whose path, size and bytes equal the parent's points at the parent's copy:
 * a new version stores only what changed.
 *
 * <p>Memory: a SHA-256 per distinct small file; contents stream through a 1 MiB buffer. Not
 * thread-safe.
 */
final class DiskLayout {
  /** Where a file's content went: its offset in the disk stream, its size as stored, bytes not in holes. */
  record Placement(long ref, long size, long allocated) {}

  private final int blockSize;
  private final SnapshotWriter.StreamSink data;
  private final Tree parentTree; // null unless the snapshot is thin
  private final Consumer<String> warnings;
  private final Map<ByteBuffer, Long> smallFiles = new HashMap<>();
  private final MessageDigest sha = Checksums.sha256();
  private final ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
  private long pos;

  DiskLayout(int blockSize, SnapshotWriter.StreamSink data, Tree parentTree, Consumer<String> warnings) {
    this.blockSize = blockSize;
    this.data = data;
    this.parentTree = parentTree;
    this.warnings = warnings;
  }

  /** Bytes of the disk stream so far. */
  long length() {
    return pos;
  }

  /** The parent's disk stream becomes this one's prefix: whole blocks by reference, the short tail by copy. */
  void referenceParent(BlockDevice disk) throws IOException {
    long full = disk.size() / blockSize;
    data.copyParentBlocks(full);
    pos = full * blockSize;
    ByteBuffer tail = ByteBuffer.allocate((int) (disk.size() - pos));
    while (tail.hasRemaining()) {
      if (disk.read(tail, pos + tail.position()) < 0) {
        throw new IOException(disk + ": parent's disk stream ends early");
      }
    }
    data.write(tail.flip());
    pos = disk.size();
  }

  /** Pads the stream to a block boundary. */
  void align() throws IOException {
    data.alignToBlock();
    pos = (pos + blockSize - 1) / blockSize * blockSize;
  }

  /**
   * Writes the content of the regular file {@code p} ({@code size} bytes when listed; {@code rel},
   * its path from the root, finds it in the parent), or points at an identical copy.
   */
  Placement place(Path p, long size, byte[] rel) throws IOException {
    if (size == 0) {
      return new Placement(0, 0, 0);
    }
    return size < blockSize ? placeSmall(p, size, rel) : placeLarge(p, size, rel);
  }

  private Placement placeSmall(Path p, long size, byte[] rel) throws IOException {
    byte[] content = new byte[(int) size];
    ByteBuffer b = ByteBuffer.wrap(content);
    try (FileChannel in = FileChannel.open(p, StandardOpenOption.READ)) {
      while (b.hasRemaining() && in.read(b) >= 0) {
        // fill
      }
    }
    if (b.hasRemaining()) {
      warnings.accept(p + ": shrank while being read; stored " + b.position() + " bytes");
      content = Arrays.copyOf(content, b.position());
      size = content.length;
    }
    long allocated = (size + 4095) / 4096 * 4096;
    ByteBuffer key = ByteBuffer.wrap(sha.digest(content));
    Long same = smallFiles.get(key);
    if (same == null) {
      same = inParent(rel, size, content, null);
    }
    if (same != null) {
      return new Placement(same, size, allocated);
    }
    long ref = pos;
    smallFiles.put(key, pos);
    data.write(ByteBuffer.wrap(content));
    pos += content.length;
    return new Placement(ref, size, allocated);
  }

  private Placement placeLarge(Path p, long size, byte[] rel) throws IOException {
    try (FileChannel in = FileChannel.open(p, StandardOpenOption.READ)) {
      Long same = inParent(rel, size, null, in);
      if (same != null) {
        return new Placement(same, size, (size + 4095) / 4096 * 4096);
      }
      align();
      long ref = pos;
      long copied = 0;
      long allocated = 0;
      in.position(0);
      while (copied < size) {
        buffer.clear().limit((int) Math.min(buffer.capacity(), size - copied));
        int n = in.read(buffer);
        if (n < 0) {
          break;
        }
        buffer.flip();
        for (int i = 0; i < n; i += 4096) {
          if (!Checksums.isZero(buffer.array(), i, Math.min(4096, n - i))) {
            allocated += 4096;
          }
        }
        data.write(buffer);
        copied += n;
      }
      if (copied != size) {
        warnings.accept(p + ": shrank while being read; stored " + copied + " bytes");
      }
      pos += copied;
      return new Placement(ref, copied, allocated);
    }
  }

  /**
   * Where the parent holds a file at {@code rel} with exactly this content (compared byte for
   * byte, from {@code content} or else from {@code in}), or null. The parent's disk stream is
   * this stream's prefix, so its offset is valid here.
   */
  private Long inParent(byte[] rel, long size, byte[] content, FileChannel in) throws IOException {
    if (parentTree == null) {
      return null;
    }
    Optional<Inode> old;
    try {
      old = parentTree.resolve(rel);
    } catch (IOException e) {
      return null; // a damaged parent entry: store the file again
    }
    if (old.isEmpty() || !old.get().isFile() || old.get().size() != size) {
      return null;
    }
    BlockDevice pd = parentTree.open(old.get());
    ByteBuffer mine = ByteBuffer.allocate((int) Math.min(size, 1 << 20));
    ByteBuffer theirs = ByteBuffer.allocate(mine.capacity());
    long at = 0;
    while (at < size) {
      int n = (int) Math.min(mine.capacity(), size - at);
      mine.clear().limit(n);
      if (content != null) {
        mine.put(content, (int) at, n);
      } else {
        while (mine.hasRemaining() && in.read(mine, at + mine.position()) >= 0) {
          // fill
        }
        if (mine.hasRemaining()) {
          return null;
        }
      }
      theirs.clear().limit(n);
      while (theirs.hasRemaining()) {
        pd.read(theirs, at + theirs.position());
      }
      if (!mine.flip().equals(theirs.flip())) {
        return null;
      }
      at += n;
    }
    return old.get().ref();
  }
}
