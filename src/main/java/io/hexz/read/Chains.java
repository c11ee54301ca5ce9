package io.hexz.read;

import io.hexz.format.Checksums;
import io.hexz.format.Header;
import io.hexz.format.ParentException;
import io.hexz.store.ByteSource;
import io.hexz.store.ByteSources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Opens a snapshot with its chain of parents: each parent is found by the child's path hint
 * (relative to the child's directory), then in the configured parent directories, and accepted
 * only if its identity is the one the child recorded. All layers share one block cache.
 * Stateless.
 */
final class Chains {
  /** Deeper chains than this are refused (and cycles are caught long before). */
  static final int MAX_DEPTH = 256;

  private Chains() {}

  static SnapshotFile open(Path path, ReadOptions options, BlockCache cache) throws IOException {
    return open(path, options, cache, new LinkedHashSet<>());
  }

  private static SnapshotFile open(Path path, ReadOptions options, BlockCache cache, Set<String> seen)
      throws IOException {
    if (!Files.exists(path)) {
      throw new NoSuchFileException(path.toString(), null, "no such snapshot");
    }
    ByteSource src = ByteSources.open(path);
    SnapshotFile parent = null;
    try {
      Header h = SnapshotFile.readHeader(src);
      String id = Checksums.hex(h.identity());
      if (!seen.add(id)) {
        throw new ParentException(path.toString(), "parent chain has a cycle (snapshot " + id.substring(0, 16)
            + "… appears twice)");
      }
      if (seen.size() > MAX_DEPTH) {
        throw new ParentException(path.toString(), "parent chain is deeper than " + MAX_DEPTH);
      }
      if (h.isThin()) {
        Path p = locate(path, h, options.parentDirs());
        parent = open(p, options, cache, seen);
        if (parent.header().blockSize() != h.blockSize()) {
          throw new ParentException(path.toString(), "parent " + p + " has block size " + parent.header().blockSize()
              + ", this thin snapshot " + h.blockSize());
        }
      }
      return SnapshotFile.open(src, options, cache, parent);
    } catch (IOException | RuntimeException e) {
      src.close();
      if (parent != null) {
        parent.close();
      }
      throw e;
    }
  }

  /** Where the parent of {@code child} is: the first candidate whose identity matches. */
  static Path locate(Path child, Header h, List<Path> dirs) throws IOException {
    byte[] want = h.parentIdentity();
    String hint = h.parentHint();
    List<Path> candidates = new ArrayList<>();
    Path dir = child.toAbsolutePath().getParent();
    if (!hint.isEmpty()) {
      candidates.add(dir.resolve(hint).normalize());
    }
    Path hintName = hint.isEmpty() ? null : Path.of(hint).getFileName();
    for (Path d : dirs) {
      if (hintName != null) {
        candidates.add(d.resolve(hintName).toAbsolutePath().normalize());
      }
    }
    List<String> looked = new ArrayList<>();
    for (Path c : new LinkedHashSet<>(candidates)) {
      if (!Files.isRegularFile(c)) {
        looked.add(c + " (missing)");
        continue;
      }
      Header ph;
      try {
        ph = Snapshots.readHeader(c);
      } catch (IOException e) {
        looked.add(c + " (" + e.getMessage() + ")");
        continue;
      }
      if (Arrays.equals(ph.identity(), want)) {
        return c;
      }
      looked.add(c + " (a different snapshot: " + Checksums.hex(ph.identity()).substring(0, 16) + "…)");
    }
    throw new ParentException(child.toString(), "parent snapshot " + Checksums.hex(want).substring(0, 16)
        + "… (hint '" + hint + "') not found; looked at: " + (looked.isEmpty() ? "nothing (no hint, no --parent-dir)"
        : String.join(", ", looked)));
  }
}
