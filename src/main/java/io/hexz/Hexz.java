package io.hexz;

import io.hexz.crypto.KdfParams;
import io.hexz.format.Header;
import io.hexz.format.Metadata;
import io.hexz.format.SignatureInfo;
import io.hexz.format.StreamKind;
import io.hexz.overlay.OverlayCommit;
import io.hexz.read.AnalyzeReport;
import io.hexz.read.Diff;
import io.hexz.read.Checker;
import io.hexz.read.ReadOptions;
import io.hexz.read.Snapshot;
import io.hexz.read.Snapshots;
import io.hexz.read.VerifyReport;
import io.hexz.write.Profile;
import io.hexz.write.Signing;
import io.hexz.format.PrefetchPlan;
import io.hexz.write.BootPlans;
import io.hexz.write.SnapshotWriter;
import io.hexz.write.TreeOptions;
import io.hexz.write.WriteOptions;
import io.hexz.write.WriteStats;
import io.hexz.write.Writers;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.EnumMap;
import java.util.Map;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The hexz library: open, create, build, inspect, verify and analyze snapshots. Stateless and
 * thread-safe; the objects it returns document their own thread-safety.
 */
public final class Hexz {
  private Hexz() {}

  /** Opens a local snapshot. */
  public static Snapshot open(Path path, ReadOptions options) throws IOException {
    return Snapshots.open(path, options);
  }

  /**
   * Opens a snapshot named by a URI: {@code file:}, {@code http(s)://} (range requests) or
   * {@code s3://BUCKET/KEY} (AWS SDK); remote ones are fetched lazily per {@link ReadOptions#remote()}.
   */
  public static Snapshot open(URI uri, ReadOptions options) throws IOException {
    if ("file".equalsIgnoreCase(uri.getScheme())) {
      return open(Path.of(uri), options);
    }
    return Snapshots.open(uri.toString(), options);
  }

  /** Opens a local path or a URL (see {@link #open(URI, ReadOptions)}). */
  public static Snapshot open(String location, ReadOptions options) throws IOException {
    return Snapshots.open(location, options);
  }

  /** A writer producing {@code output} when finished. */
  public static SnapshotWriter create(Path output, WriteOptions options) throws IOException {
    return Writers.create(output, options);
  }

  /**
   * Builds a snapshot of {@code source} (a file or block device) with a profile; {@code
   * overrides} may change any field of the profile's options (block size, codec, level...).
   *
   * @param memory an optional VM memory dump stored as the memory stream, or null
   */
  public static WriteStats build(Path source, Path output, Profile profile,
      UnaryOperator<WriteOptions.Builder> overrides, Path memory) throws IOException {
    return build(source, output, profile, overrides, memory, TreeOptions.DEFAULTS);
  }

  /**
   * Like {@link #build(Path, Path, Profile, UnaryOperator, Path)}; a directory {@code source}
   * becomes a directory snapshot (files, directories, symlinks, hard links, special files, their
   * metadata and user xattrs), packed as {@code tree} says.
   */
  public static WriteStats build(Path source, Path output, Profile profile,
      UnaryOperator<WriteOptions.Builder> overrides, Path memory, TreeOptions tree) throws IOException {
    if (!Files.exists(source)) {
      throw new NoSuchFileException(source.toString(), null, "source does not exist");
    }
    // The snapshot is no more readable than its source (a private disk gives a private snapshot).
    WriteOptions options = overrides.apply(WriteOptions.builder(profile).maxPermissionsOf(source)
        .source(source.getFileName() == null ? source.toString() : source.getFileName().toString())).build();
    if (Files.isDirectory(source)) {
      if (memory != null) {
        throw new IllegalArgumentException(source + ": a memory stream belongs to image snapshots, not directories");
      }
      return Writers.buildTree(source, output, options, tree);
    }
    try (SnapshotWriter w = Writers.create(output, options)) {
      PrefetchPlan plan = null;
      if (options.bootTrace() != null) {
        Map<StreamKind, Long> sizes = new EnumMap<>(StreamKind.class);
        sizes.put(StreamKind.DISK, Files.size(source));
        if (memory != null) {
          sizes.put(StreamKind.MEMORY, Files.size(memory));
        }
        plan = BootPlans.plan(options.bootTrace(), options.blockSize(), sizes);
        w.prefetchPlan(plan);
      }
      addFile(w, StreamKind.DISK, source, plan, options.blockSize());
      if (memory != null) {
        addFile(w, StreamKind.MEMORY, memory, plan, options.blockSize());
      }
      w.finish();
      return Writers.stats(w);
    }
  }

  /** A file as a stream, the plan's blocks of it first. */
  private static void addFile(SnapshotWriter w, StreamKind kind, Path file, PrefetchPlan plan, int blockSize)
      throws IOException {
    try (SnapshotWriter.StreamSink sink = w.beginStream(kind);
        FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
      if (plan != null) {
        BootPlans.placeFirst(plan, kind, in.size(), blockSize, sink, BootPlans.of(in));
      }
      sink.writeFrom(in);
    }
  }

  /**
   * Restores entries of a directory snapshot below {@code dest}: {@code paths} ("/"-separated
   * from the snapshot's root; all when empty), recursively, with modes, times, user xattrs, hard
   * links and (as root) owners. Each file appears atomically; a path with ".." is refused.
   *
   * @return the number of entries restored
   */
  public static long extract(Snapshot snapshot, List<String> paths, Path dest, java.util.function.Consumer<String> warnings)
      throws IOException {
    io.hexz.read.Tree t = snapshot.tree().orElseThrow(() -> new IllegalArgumentException(snapshot.name()
        + ": is an image snapshot, not a directory snapshot"));
    return io.hexz.read.TreeExtract.extract(snapshot.name(), t, paths, dest, warnings);
  }

  /**
   * What {@link #inspect} shows: the checked header and metadata, and the chain of parents. For an
   * encrypted snapshot inspected without its password, only the header: {@code metadata} is null
   * and {@code parents} empty.
   */
  public record Inspection(String file, Header header, Metadata metadata, List<Inspection> parents) {
    public Inspection {
      parents = List.copyOf(parents);
    }
  }

  /** Reads and checks header and metadata of a snapshot and of each parent (no block is read). */
  public static Inspection inspect(Path path) throws IOException {
    return inspect(path, List.of());
  }

  /** Like {@link #inspect(Path)}, looking for parents in {@code parentDirs} too. */
  public static Inspection inspect(Path path, List<Path> parentDirs) throws IOException {
    return inspect(path.toString(), ReadOptions.UNCACHED.withParentDirs(parentDirs));
  }

  /** Inspects a local path or a URL; {@code options} supplies parent dirs and remote settings. */
  public static Inspection inspect(String location, ReadOptions options) throws IOException {
    if (options.password() == null) {
      Header h = Snapshots.readHeader(location, options);
      if (h.isEncrypted()) {
        return new Inspection(location, h, null, List.of());
      }
    }
    try (Snapshot s = Snapshots.open(location, options.toBuilder().caching(ReadOptions.UNCACHED).build())) {
      List<Snapshot> chain = Snapshots.chain(s);
      List<Inspection> parents = new ArrayList<>();
      for (Snapshot p : chain.subList(1, chain.size())) {
        parents.add(new Inspection(p.name(), p.header(), p.metadata(), List.of()));
      }
      return new Inspection(s.name(), s.header(), s.metadata(), parents);
    }
  }

  /** Checks structure, every block's checksum and hash, and the identity. */
  public static VerifyReport verify(Path path) throws IOException {
    return Checker.verify(path);
  }

  /** Like {@link #verify(Path)}, looking for parents in {@code parentDirs} too. */
  public static VerifyReport verify(Path path, List<Path> parentDirs) throws IOException {
    return Checker.verify(path, parentDirs);
  }

  /**
   * Signs a snapshot with an Ed25519 private key: the signature covers the header, the metadata
   * and every block's SHA-256 (see FORMAT.md). The file is replaced atomically; an encrypted
   * snapshot needs its password in {@code options}.
   */
  public static SignatureInfo sign(Path snapshot, PrivateKey key, ReadOptions options) throws IOException {
    return Signing.sign(snapshot, key, options);
  }

  /** Counts zero, deduplicated and compressed blocks. */
  public static AnalyzeReport analyze(Path path) throws IOException {
    return Checker.analyze(path);
  }

  /** Verifies a local path or a URL. */
  public static VerifyReport verify(String location, ReadOptions options) throws IOException {
    return Checker.verify(location, options);
  }

  /** Analyzes a local path or a URL. */
  public static AnalyzeReport analyze(String location, ReadOptions options) throws IOException {
    return Checker.analyze(location, options);
  }

  /** Like {@link #analyze(Path)}, looking for parents in {@code parentDirs} too. */
  public static AnalyzeReport analyze(Path path, List<Path> parentDirs) throws IOException {
    return Checker.analyze(path, parentDirs);
  }

  /**
   * Merges an overlay into {@code out}: a full snapshot of base + overlay, or a thin one that
   * stores only the blocks the overlay changed and references {@code base}.
   */
  public static WriteStats commit(Path base, Path overlay, Path out, boolean thin, WriteOptions.Builder options,
      ReadOptions readOptions) throws IOException {
    return OverlayCommit.commit(base, overlay, out, thin, options, readOptions);
  }

  /**
   * Writes a self-contained copy of a (thin) snapshot: same content, no parent. The copy of an
   * encrypted snapshot is encrypted with the same password (a new salt) unless {@code overrides}
   * says otherwise.
   */
  public static WriteStats flatten(Path snapshot, Path out, UnaryOperator<WriteOptions.Builder> overrides,
      ReadOptions readOptions) throws IOException {
    try (Snapshot s = Snapshots.open(snapshot, readOptions)) {
      Header h = s.header();
      WriteOptions.Builder b = WriteOptions.builder().blockSize(h.blockSize()).codec(h.codec()).level(h.level())
          .source(s.metadata().source()).maxPermissionsOf(snapshot);
      s.metadata().user().forEach(b::meta);
      Snapshot sealed = Snapshots.encryptedLayer(s).orElse(null);
      if (sealed != null) {
        // The copy holds the plaintext of every layer: if any layer is encrypted (a clear child
        // of an encrypted parent too), the copy is encrypted, with that layer's KDF costs.
        Header e = sealed.header();
        b.encrypt(readOptions.password(), new KdfParams(e.encryption().memoryKiB(), e.encryption().iterations(),
            e.encryption().parallelism()));
      }
      WriteOptions o = overrides.apply(b).build();
      if (sealed != null && o.password() == null) {
        throw new IllegalArgumentException(out + ": " + sealed.name() + " is encrypted, so a flattened copy of "
            + snapshot + " must be encrypted too");
      }
      try (SnapshotWriter w = Writers.create(out, o)) {
        PrefetchPlan plan = BootPlans.planFor(o, w, s);
        for (StreamKind k : StreamKind.values()) {
          if (s.stream(k).isPresent()) {
            try (SnapshotWriter.StreamSink sink = w.beginStream(k)) {
              BootPlans.placeFirst(plan, k, s.stream(k).get(), o.blockSize(), sink);
              OverlayCommit.copy(s.stream(k).get(), sink);
            }
          }
        }
        w.finish();
        return Writers.stats(w);
      }
    }
  }

  /** The exact changed byte ranges of a stream between two snapshots. */
  public static Diff.Summary diff(Path a, Path b, StreamKind kind, Diff.RangeSink sink, ReadOptions readOptions)
      throws IOException {
    try (Snapshot sa = Snapshots.open(a, readOptions); Snapshot sb = Snapshots.open(b, readOptions)) {
      return Diff.diff(sa, sb, kind, sink);
    }
  }
}
