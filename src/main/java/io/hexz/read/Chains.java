package io.hexz.read;

import io.hexz.format.Checksums;
import io.hexz.format.Header;
import io.hexz.format.ParentException;
import io.hexz.format.ParentNotFoundException;
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
 *
 * <p>Trust. A candidate parent is opened once: the source whose header was compared with the
 * child's record is the source that is then read, through exactly the header bytes that were
 * compared (opening it a second time would let a file replaced in between, or a server that
 * answers the second request with another object, be used unchecked). A header identity is only a
 * claim, though: anyone can write any 32 bytes into a clear header. So an encrypted child, whose
 * record of its parent is authenticated by its own key check, accepts a clear parent only after
 * recomputing that parent's identity from its index (every leaf entry, PARENT entries down its
 * chain) and finding the recorded one; that parent and its own parents are then read with every
 * block checked against the SHA-256 its leaf entry holds and every leaf page pinned to what the
 * walk saw ({@link LeafPins}), so each byte the child takes from them is one the recorded
 * identity covers. An encrypted parent needs no walk: its own key check authenticates its header
 * identity, and AES-GCM every page and payload behind it. A signed child (read with a public key)
 * has its parents' block hashes in its signed root and reads them with the same checks.
 */
final class Chains {
  /** Deeper chains than this are refused (and cycles are caught long before). */
  static final int MAX_DEPTH = 256;

  private Chains() {}

  /** A layer to open: where it is, its open source and the header bytes read from that source. */
  record Found(String location, ByteSource source, byte[] rawHeader, Header header) {}

  /** Opens a local path or a URL ({@code http(s)://}, {@code s3://}) and its parents. */
  static SnapshotFile open(String location, ReadOptions options, BlockCache cache) throws IOException {
    boolean remote = ByteSources.isRemote(location);
    if (!remote && !Files.exists(Path.of(location))) {
      throw new NoSuchFileException(location, null, "no such snapshot");
    }
    ByteSource src = ByteSources.open(location, options.remote());
    Found top;
    try {
      byte[] raw = SnapshotOpener.readHeaderBytes(src);
      top = new Found(location, src, raw, SnapshotOpener.decodeHeader(src, raw));
    } catch (IOException | RuntimeException e) {
      src.close();
      throw e;
    }
    return open(top, options, cache, new LinkedHashSet<>(),
        options.publicKey() != null ? HashCheck.SIGNED : HashCheck.OFF);
  }

  /**
   * Opens {@code at} and its parents; closes its source on failure.
   *
   * @param hashCheck check blocks against their SHA-256 and pin leaf pages: set for a signed
   *     child's parents (its root covers their block hashes) and for a clear parent of an
   *     encrypted child (its recomputed identity does); inherited down the chain
   */
  private static SnapshotFile open(Found at, ReadOptions options, BlockCache cache, Set<String> seen,
      HashCheck hashCheck) throws IOException {
    ByteSource src = at.source();
    String name = src.name();
    Header h = at.header();
    SnapshotFile parent = null;
    try {
      String id = Checksums.hex(h.identity());
      // Only thin layers can close a cycle (a full snapshot ends the chain), so only theirs are
      // checked: a thin snapshot of the same content as its full parent (an unchanged image
      // rebuilt with --parent) has the parent's identity and is not a cycle.
      if (h.isThin() && !seen.add(id)) {
        throw new ParentException(name, "parent chain has a cycle (snapshot " + id.substring(0, 16)
            + "… appears twice)");
      }
      if (seen.size() > MAX_DEPTH) {
        throw new ParentException(name, "parent chain is deeper than " + MAX_DEPTH);
      }
      if (h.isThin()) {
        Found p = locate(at.location(), name, h, options);
        boolean byContent = h.isEncrypted() && !p.header().isEncrypted();
        parent = open(p, options.withPublicKey(null), cache, seen,
            byContent ? hashCheck.and(HashCheck.AUTHENTICATED) : hashCheck);
        if (!Arrays.equals(parent.header().identity(), h.parentIdentity())) {
          throw new ParentException(name, "parent " + parent.name() + " is not the snapshot this one was made "
              + "against (its identity changed while it was opened)");
        }
        if (parent.header().blockSize() != h.blockSize()) {
          throw new ParentException(name, "parent " + parent.name() + " has block size " + parent.header().blockSize()
              + ", this thin snapshot " + h.blockSize());
        }
        if (byContent) {
          byte[] actual = IndexWalk.identity(parent);
          if (!Arrays.equals(actual, h.parentIdentity())) {
            throw new ParentException(name, "parent " + parent.name() + " has the identity this encrypted snapshot "
                + "recorded in its header (" + Checksums.hex(h.parentIdentity()).substring(0, 16)
                + "…) but not its content (recomputed from its index: " + Checksums.hex(actual).substring(0, 16)
                + "…): a different or forged snapshot, refused");
          }
        }
      }
      return SnapshotFile.open(src, at.rawHeader(), options, cache, parent, hashCheck);
    } catch (IOException | RuntimeException e) {
      src.close();
      if (parent != null) {
        parent.close();
      }
      throw e;
    }
  }

  /**
   * The parent of {@code child}: the first candidate whose header identity matches, with its
   * source left open for the caller (every other candidate's is closed). The hint is resolved
   * against the child's directory (or URL), then its file name in each parent dir.
   */
  static Found locate(String child, String childName, Header h, ReadOptions options) throws IOException {
    byte[] want = h.parentIdentity();
    String hint = h.parentHint();
    List<String> candidates = new ArrayList<>();
    boolean remote = ByteSources.isRemote(child);
    List<String> looked = new ArrayList<>();
    List<IOException> failures = new ArrayList<>(); // kept as suppressed: their types say what would help
    Path hintName;
    try {
      if (!hint.isEmpty() && remote) {
        java.net.URI c = java.net.URI.create(child);
        java.net.URI p = c.resolve(hint.replace(java.io.File.separatorChar, '/'));
        // The hint is in the (untrusted) child: an absolute URL there would make this process fetch
        // from any host or bucket, with the user's credentials. Only the child's own place is used.
        if (java.util.Objects.equals(p.getScheme(), c.getScheme()) && java.util.Objects.equals(p.getRawAuthority(),
            c.getRawAuthority())) {
          candidates.add(p.toString());
        } else {
          looked.add("'" + hint + "' (not on the child's host or bucket: not followed)");
        }
      } else if (!hint.isEmpty()) {
        candidates.add(Path.of(child).toAbsolutePath().getParent().resolve(hint).normalize().toString());
      }
      hintName = hint.isEmpty() ? null : Path.of(hint).getFileName();
    } catch (IllegalArgumentException e) { // InvalidPathException too: a NUL in a damaged hint, say
      throw new ParentException(childName, "the parent's path hint is not a valid path: damaged header");
    }
    for (Path d : options.parentDirs()) {
      if (hintName != null) {
        candidates.add(d.resolve(hintName).toAbsolutePath().normalize().toString());
      }
    }
    for (String c : new LinkedHashSet<>(candidates)) {
      String shown = ByteSources.isRemote(c) ? ByteSources.redact(java.net.URI.create(c)) : c;
      if (!ByteSources.isRemote(c) && !Files.isRegularFile(Path.of(c))) {
        looked.add(c + " (missing)");
        continue;
      }
      ByteSource s = null;
      Header ph;
      byte[] raw;
      try {
        s = ByteSources.open(c, options.remote());
        raw = SnapshotOpener.readHeaderBytes(s);
        ph = SnapshotOpener.decodeHeader(s, raw);
      } catch (IOException e) {
        if (s != null) {
          s.close();
        }
        looked.add(shown + " (" + e.getMessage() + ")");
        failures.add(e);
        continue;
      }
      if (Arrays.equals(ph.identity(), want)) {
        return new Found(c, s, raw, ph);
      }
      s.close();
      looked.add(shown + " (a different snapshot: " + Checksums.hex(ph.identity()).substring(0, 16) + "…)");
    }
    ParentException notFound = new ParentNotFoundException(childName, "parent snapshot "
        + Checksums.hex(want).substring(0, 16) + "… (hint '" + hint + "') not found; looked at: "
        + (looked.isEmpty() ? "nothing (no hint, no parent directory)" : String.join(", ", looked)));
    failures.forEach(notFound::addSuppressed);
    throw notFound;
  }
}
