package io.hexz.read;

import io.hexz.format.Format;
import io.hexz.format.StreamKind;
import java.io.IOException;

/**
 * Read access to a snapshot's block index (hashes and CRCs), for writers that store blocks thin
 * against it. Thread-safe (reads go through the snapshot's cache).
 */
public final class ParentIndex {
  private final SnapshotFile file;

  private ParentIndex(SnapshotFile file) {
    this.file = file;
  }

  /** The index of an open snapshot (opened by {@link Snapshots}). */
  public static ParentIndex of(Snapshot s) {
    return new ParentIndex((SnapshotFile) s);
  }

  public int blockSize() {
    return file.header().blockSize();
  }

  public byte[] identity() {
    return file.header().identity();
  }

  /** Blocks in a stream (0 when the snapshot has no such stream). */
  public long blocks(StreamKind kind) {
    StreamReader r = file.reader(kind);
    return r == null ? 0 : r.blocks();
  }

  /** Bytes in block {@code b} of a stream (the last block may be short). */
  public int blockLength(StreamKind kind, long b) {
    return file.reader(kind).blockLength(b);
  }

  /** Copies the SHA-256 of block {@code b}'s content into {@code dst}; returns its CRC32C. */
  public int hashAndCrc(StreamKind kind, long b, byte[] dst) throws IOException {
    return file.reader(kind).hashAndCrc(b, dst);
  }

  /** Whether block {@code b} of this snapshot exists and has exactly this content hash. */
  public boolean sameBlock(StreamKind kind, long b, int length, byte[] sha256, byte[] scratch) throws IOException {
    if (b >= blocks(kind) || blockLength(kind, b) != length) {
      return false;
    }
    hashAndCrc(kind, b, scratch);
    return java.util.Arrays.equals(scratch, 0, Format.HASH_SIZE, sha256, 0, Format.HASH_SIZE);
  }
}
