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

  /** Opens a local path or a URL ({@code http(s)://}, {@code s3://}) and its parents. */
  static SnapshotFile open(String location, ReadOptions options, BlockCache cache) throws IOException {
    return open(location, options, cache, new LinkedHashSet<>(), options.publicKey() != null);
  }

  /**
   * @param checkHashes check blocks against their SHA-256: a signed child's root covers its
   *     parents' block hashes, so its parents are read with the same checks (but need no signature)
   */
  private static SnapshotFile open(String location, ReadOptions options, BlockCache cache, Set<String> seen,
      boolean checkHashes) throws IOException {
    boolean remote = ByteSources.isRemote(location);
    if (!remote && !Files.exists(Path.of(location))) {
      throw new NoSuchFileException(location, null, "no such snapshot");
    }
    ByteSource src = ByteSources.open(location, options.remote());
    String name = src.name();
    SnapshotFile parent = null;
    try {
      Header h = SnapshotFile.readHeader(src);
      String id = Checksums.hex(h.identity());
      if (!seen.add(id)) {
        throw new ParentException(name, "parent chain has a cycle (snapshot " + id.substring(0, 16)
            + "… appears twice)");
      }
      if (seen.size() > MAX_DEPTH) {
        throw new ParentException(name, "parent chain is deeper than " + MAX_DEPTH);
      }
      if (h.isThin()) {
        String p = locate(location, name, h, options);
        parent = open(p, options.withPublicKey(null), cache, seen, checkHashes);
        if (parent.header().blockSize() != h.blockSize()) {
          throw new ParentException(name, "parent " + parent.name() + " has block size " + parent.header().blockSize()
              + ", this thin snapshot " + h.blockSize());
        }
      }
      return SnapshotFile.open(src, options, cache, parent, checkHashes);
    } catch (IOException | RuntimeException e) {
      src.close();
      if (parent != null) {
        parent.close();
      }
      throw e;
    }
  }

  /**
   * Where the parent of {@code child} is: the first candidate whose identity matches. The hint is
   * resolved against the child's directory (or URL), then its file name in each parent dir.
   */
  static String locate(String child, String childName, Header h, ReadOptions options) throws IOException {
    byte[] want = h.parentIdentity();
    String hint = h.parentHint();
    List<String> candidates = new ArrayList<>();
    boolean remote = ByteSources.isRemote(child);
    if (!hint.isEmpty()) {
      candidates.add(remote ? java.net.URI.create(child).resolve(hint.replace(java.io.File.separatorChar, '/'))
          .toString() : Path.of(child).toAbsolutePath().getParent().resolve(hint).normalize().toString());
    }
    Path hintName = hint.isEmpty() ? null : Path.of(hint).getFileName();
    for (Path d : options.parentDirs()) {
      if (hintName != null) {
        candidates.add(d.resolve(hintName).toAbsolutePath().normalize().toString());
      }
    }
    List<String> looked = new ArrayList<>();
    for (String c : new LinkedHashSet<>(candidates)) {
      String shown = ByteSources.isRemote(c) ? ByteSources.redact(java.net.URI.create(c)) : c;
      if (!ByteSources.isRemote(c) && !Files.isRegularFile(Path.of(c))) {
        looked.add(c + " (missing)");
        continue;
      }
      Header ph;
      try (ByteSource s = ByteSources.open(c, options.remote())) {
        ph = SnapshotFile.readHeader(s);
      } catch (IOException e) {
        looked.add(shown + " (" + e.getMessage() + ")");
        continue;
      }
      if (Arrays.equals(ph.identity(), want)) {
        return c;
      }
      looked.add(shown + " (a different snapshot: " + Checksums.hex(ph.identity()).substring(0, 16) + "…)");
    }
    throw new ParentException(childName, "parent snapshot " + Checksums.hex(want).substring(0, 16)
        + "… (hint '" + hint + "') not found; looked at: " + (looked.isEmpty() ? "nothing (no hint, no --parent-dir)"
        : String.join(", ", looked)));
  }
}
