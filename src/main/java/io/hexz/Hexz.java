package io.hexz;

import io.hexz.format.Header;
import io.hexz.format.Metadata;
import io.hexz.format.StreamKind;
import io.hexz.read.AnalyzeReport;
import io.hexz.read.Checker;
import io.hexz.read.ReadOptions;
import io.hexz.read.Snapshot;
import io.hexz.read.Snapshots;
import io.hexz.read.VerifyReport;
import io.hexz.write.Profile;
import io.hexz.write.SnapshotWriter;
import io.hexz.write.WriteOptions;
import io.hexz.write.WriteStats;
import io.hexz.write.Writers;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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

  /** Opens a snapshot named by a URI ({@code file:} for now). */
  public static Snapshot open(URI uri, ReadOptions options) throws IOException {
    if (uri.getScheme() == null || "file".equals(uri.getScheme())) {
      return open(uri.getScheme() == null ? Path.of(uri.getPath()) : Path.of(uri), options);
    }
    throw new IOException(uri + ": unsupported location scheme '" + uri.getScheme() + "'");
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
    if (!Files.exists(source)) {
      throw new NoSuchFileException(source.toString(), null, "source does not exist");
    }
    if (Files.isDirectory(source)) {
      throw new IOException(source + ": is a directory (directory snapshots are not supported yet)");
    }
    WriteOptions options = overrides.apply(WriteOptions.builder(profile)
        .source(source.getFileName() == null ? source.toString() : source.getFileName().toString())).build();
    try (SnapshotWriter w = Writers.create(output, options)) {
      w.addFile(StreamKind.DISK, source);
      if (memory != null) {
        w.addFile(StreamKind.MEMORY, memory);
      }
      w.finish();
      return Writers.stats(w);
    }
  }

  /** What {@link #inspect} shows: the checked header and metadata. */
  public record Inspection(String file, Header header, Metadata metadata) {}

  /** Reads and checks header and metadata (no block is read). */
  public static Inspection inspect(Path path) throws IOException {
    try (Snapshot s = Snapshots.open(path, new ReadOptions(0, false, 0, 1))) {
      return new Inspection(path.toString(), s.header(), s.metadata());
    }
  }

  /** Checks structure, every block's checksum and hash, and the identity. */
  public static VerifyReport verify(Path path) throws IOException {
    return Checker.verify(path);
  }

  /** Counts zero, deduplicated and compressed blocks. */
  public static AnalyzeReport analyze(Path path) throws IOException {
    return Checker.analyze(path);
  }
}
