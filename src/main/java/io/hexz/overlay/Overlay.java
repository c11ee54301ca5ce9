package io.hexz.overlay;

import io.hexz.read.BlockDevice;
import io.hexz.read.Snapshot;
import io.hexz.read.Snapshots;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A writable copy-on-write view of a read-only base device: written 4 KiB pages live in an
 * overlay file, everything else is read from the base. Thread-safe.
 *
 * <p>Durability: {@link #flush} (fsync/fdatasync through FUSE) makes every write acknowledged
 * before it durable; after a crash the overlay reopens with at least those writes.
 */
public interface Overlay extends BlockDevice {

  /** Bytes of one overlay page. */
  int PAGE_SIZE = 4096;

  /** The overlay file. */
  Path path();

  /** Number of distinct pages the overlay holds (stored or discarded). */
  long pageCount();

  /** Number of pages whose content the log stores (the others it holds were discarded: zeros). */
  long storedPageCount();

  /** Page numbers held by the overlay, ascending. */
  long[] pages();

  /** Identity of the base snapshot this overlay was made over. */
  byte[] baseIdentity();

  /** Size of the base disk the overlay was made over ({@link #size} differs once resized). */
  long baseSize();

  /**
   * Grows (or, with {@code allowShrink}, shrinks) the disk to {@code newSize} bytes, a multiple of
   * {@link #PAGE_SIZE} or the base's size: a grown range reads zeros; shrinking drops the data
   * past the new end, for good. Crash-safe like {@link #compact}, which it runs.
   */
  void resize(long newSize, boolean allowShrink) throws IOException;

  /** Bytes of the log after the header: live pages, superseded copies and record headers. */
  long logBytes();

  /**
   * Rewrites the log with only the newest copy of each page, while reads and writes go on;
   * crash-safe at every step (FORMAT.md). Writable overlays also run it by themselves, in the
   * background, when the log outgrows twice its live pages plus a slack.
   */
  void compact() throws IOException;

  /**
   * Opens an existing overlay without its base snapshot, writable and locked, to inspect or
   * compact it; reading a page it does not hold fails.
   */
  static Overlay openStandalone(Path file) throws IOException {
    OverlayHeader h = OverlayHeader.read(file);
    return OverlayFile.open(file, new NoBase(file, h.baseSize()), h.baseIdentity(), false);
  }

  /** Opens (or creates) an overlay over {@code base}; takes an exclusive lock on the file. */
  static Overlay open(Path file, BlockDevice base, byte[] baseIdentity) throws IOException {
    return OverlayFile.open(file, base, baseIdentity, false);
  }

  /**
   * Opens (or creates) an overlay over the disk stream of {@code base}. Refused, before any file
   * is created, when a layer of base's chain is encrypted: the overlay file is clear, and each
   * partial-page write copies the decrypted base bytes around it into the file.
   */
  static Overlay open(Path file, Snapshot base) throws IOException {
    return open(file, base, base.disk());
  }

  /**
   * As {@link #open(Path, Snapshot)}, reading the base's disk through {@code view} (the same
   * bytes: a device that records which blocks are read, say).
   */
  static Overlay open(Path file, Snapshot base, BlockDevice view) throws IOException {
    Snapshot sealed = Snapshots.encryptedLayer(base).orElse(null);
    if (sealed != null) {
      throw new OverlayException(file.toString(), "cannot be opened for writing: " + (sealed == base
          ? base.name() + " is encrypted" : base.name() + " has the encrypted parent " + sealed.name())
          + ", and an overlay would hold its content in clear");
    }
    return open(file, view, base.header().identity());
  }

  /** Opens an existing overlay read-only (for commit/diff); still refuses one locked by a mount. */
  static Overlay openReadOnly(Path file, BlockDevice base, byte[] baseIdentity) throws IOException {
    return OverlayFile.open(file, base, baseIdentity, true);
  }

  /** Reads the base identity recorded in an overlay's header without opening it for use. */
  static byte[] readBaseIdentity(Path file) throws IOException {
    return OverlayHeader.read(file).baseIdentity();
  }
}
