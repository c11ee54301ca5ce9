package io.hexz.read;

import io.hexz.format.Header;
import io.hexz.store.ByteSource;
import io.hexz.store.ByteSources;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Opens snapshots for reading. Stateless. */
public final class Snapshots {
  private Snapshots() {}

  /**
   * Waits (up to a second) until the decoders are compiled (see {@link io.hexz.codec.Warmup}),
   * which opening a snapshot starts: a server calls this before it takes its first client.
   */
  public static void awaitWarmup() {
    try {
      io.hexz.codec.Warmup.await(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Opens a local snapshot file, and the chain of parents if it is thin. */
  public static Snapshot open(Path path, ReadOptions options) throws IOException {
    return Chains.open(path.toString(), options, new BlockCache(options.cacheBytes()));
  }

  /**
   * Opens a local path or a URL ({@code http://}, {@code https://}, {@code s3://BUCKET/KEY};
   * fetched lazily with {@link ReadOptions#remote()}) and its chain of parents.
   */
  public static Snapshot open(String location, ReadOptions options) throws IOException {
    return Chains.open(location, options, new BlockCache(options.cacheBytes()));
  }

  /**
   * Opens a self-contained snapshot over any byte source; the snapshot owns and closes the source.
   * A thin snapshot is refused here (its parent must be located: use {@link #open(Path, ReadOptions)}).
   */
  public static Snapshot open(ByteSource source, ReadOptions options) throws IOException {
    try {
      return SnapshotFile.open(source, options, new BlockCache(options.cacheBytes()), null);
    } catch (IOException | RuntimeException e) {
      source.close();
      throw e;
    }
  }

  /**
   * Opens several snapshots that share one block cache of {@code options.cacheBytes()} (a mount
   * of a directory: memory stays bounded by one cache, not one per snapshot). On failure the
   * ones already opened are closed.
   */
  public static java.util.List<Snapshot> openAll(java.util.List<String> locations, ReadOptions options)
      throws IOException {
    BlockCache shared = new BlockCache(options.cacheBytes());
    java.util.List<Snapshot> out = new java.util.ArrayList<>();
    try {
      for (String l : locations) {
        out.add(Chains.open(l, options, shared));
      }
      return out;
    } catch (IOException | RuntimeException e) {
      for (Snapshot s : out) {
        try {
          s.close();
        } catch (IOException ignored) {
          // the original failure is the one to report
        }
      }
      throw e;
    }
  }

  /** Reads and checks only the header (cheap; for inspect and parent checks). */
  public static Header readHeader(Path path) throws IOException {
    if (!java.nio.file.Files.exists(path)) {
      throw new NoSuchFileException(path.toString());
    }
    try (ByteSource s = ByteSources.open(path)) {
      return SnapshotOpener.readHeader(s);
    }
  }

  /** Reads and checks only the header of a local path or URL (no password needed). */
  public static Header readHeader(String location, ReadOptions options) throws IOException {
    if (!ByteSources.isRemote(location)) {
      return readHeader(Path.of(location));
    }
    try (ByteSource s = ByteSources.open(location, options.remote())) {
      return SnapshotOpener.readHeader(s);
    }
  }

  /**
   * The root hash a signature of {@code s} covers (header, metadata and every leaf entry of every
   * stream; see FORMAT.md). Walks the whole index.
   */
  public static byte[] signedRoot(Snapshot s) throws IOException {
    return SignedRoot.of(s);
  }

  /** The 4096 header bytes of an open snapshot as they were read. */
  public static byte[] rawHeader(Snapshot s) {
    return ((SnapshotFile) s).rawHeader();
  }

  /** The layers of an open snapshot: itself first, then its parent, grandparent... */
  public static java.util.List<Snapshot> chain(Snapshot s) {
    java.util.List<Snapshot> out = new java.util.ArrayList<>();
    for (SnapshotFile f = (SnapshotFile) s; f != null; f = f.parent()) {
      out.add(f);
    }
    return out;
  }

  /**
   * The prefetch plan of the first layer of {@code s}'s chain that has one (a thin child without
   * its own plan inherits its parent's: same block size, and the blocks it did not change are the
   * parent's). A plan that does not decode is ignored with a warning: it only says what to load
   * early, never what the bytes are.
   */
  public static java.util.Optional<io.hexz.format.PrefetchPlan> prefetchPlan(Snapshot s) {
    for (Snapshot l : chain(s)) {
      String text = l.metadata() == null ? null : l.metadata().prefetchPlan();
      if (text != null) {
        try {
          return java.util.Optional.of(io.hexz.format.PrefetchPlan.decode(l.name(), text));
        } catch (io.hexz.format.CorruptSnapshotException e) {
          System.getLogger(Snapshots.class.getName()).log(System.Logger.Level.WARNING,
              "{0}; the prefetch plan is ignored", e.getMessage());
          return java.util.Optional.empty();
        }
      }
    }
    return java.util.Optional.empty();
  }

  /**
   * The first layer of {@code s}'s chain (itself, then its parents) that is encrypted, if any.
   * Whatever is written from such a chain holds that layer's plaintext, so writers use this to
   * keep it encrypted.
   */
  public static java.util.Optional<Snapshot> encryptedLayer(Snapshot s) {
    return chain(s).stream().filter(l -> l.header().isEncrypted()).findFirst();
  }

  /**
   * The snapshots a directory holds: its regular files named {@code *.hxz}, sorted by name (what
   * a mount or an NBD server of a directory serves).
   *
   * @throws java.nio.file.NoSuchFileException if there is none
   */
  public static java.util.List<java.nio.file.Path> inDirectory(java.nio.file.Path dir) throws IOException {
    java.util.List<java.nio.file.Path> snaps;
    try (java.util.stream.Stream<java.nio.file.Path> s = java.nio.file.Files.list(dir)) {
      snaps = s.filter(p -> p.getFileName().toString().endsWith(".hxz") && java.nio.file.Files.isRegularFile(p))
          .sorted().toList();
    }
    if (snaps.isEmpty()) {
      throw new java.nio.file.NoSuchFileException(dir.toString(), null, "no *.hxz snapshots in this directory");
    }
    return snaps;
  }
}
