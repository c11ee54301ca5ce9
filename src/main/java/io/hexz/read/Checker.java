package io.hexz.read;

import io.hexz.format.BlockKind;
import io.hexz.format.Checksums;
import io.hexz.format.Format;
import io.hexz.format.Identity;
import io.hexz.format.IndexPage;
import io.hexz.format.StreamKind;
import io.hexz.store.ByteSources;
import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Walks every index entry of a snapshot: {@link #verify} decodes and checks every block (CRC32C
 * and SHA-256) and recomputes the identity; {@link #analyze} only counts. Reads go straight to
 * the file (no cache), one leaf page at a time, so memory stays constant. Stateless.
 */
public final class Checker {
  private Checker() {}

  /** Checks {@code path} completely; problems are reported, not thrown (except I/O failures to open). */
  public static VerifyReport verify(Path path) throws IOException {
    return verify(path, java.util.List.of());
  }

  /** Options for checking: a small cache for index pages (blocks are decoded once anyway). */
  static ReadOptions checkOptions(ReadOptions base) {
    return base.toBuilder().caching(ReadOptions.UNCACHED).cacheBytes(8L << 20).build();
  }

  /** Like {@link #verify(Path)}, looking for parents of thin snapshots in {@code parentDirs} too. */
  public static VerifyReport verify(Path path, java.util.List<Path> parentDirs) throws IOException {
    return verify(path.toString(), ReadOptions.UNCACHED.withParentDirs(parentDirs));
  }

  /** Checks a local or remote snapshot; {@code options} supplies parent dirs and remote settings. */
  public static VerifyReport verify(String location, ReadOptions options) throws IOException {
    List<String> problems = new ArrayList<>();
    long[] counts = new long[3]; // blocks, bytes, problems
    String name = ByteSources.isRemote(location) ? redacted(location) : location;
    SnapshotFile f;
    try {
      f = (SnapshotFile) Snapshots.open(location, checkOptions(options));
    } catch (io.hexz.format.SnapshotException e) {
      return new VerifyReport(name, 0, 0, List.of(e.getMessage()), 1);
    }
    try (f) {
      List<Identity.StreamPart> parts = new ArrayList<>();
      MessageDigest sha = Checksums.sha256();
      for (StreamKind k : StreamKind.values()) {
        StreamReader r = f.reader(k);
        if (r == null) {
          continue;
        }
        Identity.StreamHasher hasher = new Identity.StreamHasher();
        byte[] h = new byte[Format.HASH_SIZE];
        for (long first = 0; first < r.blocks(); first += Format.LEAF_FANOUT) {
          IndexPage leaf;
          try {
            leaf = r.leafFor(first);
          } catch (IOException e) {
            long n = Math.min(Format.LEAF_FANOUT, r.blocks() - first);
            problem(problems, counts, e.getMessage() + " (" + n + " blocks unchecked)");
            hasher.block(new byte[Format.HASH_SIZE], 0); // identity cannot match now
            continue;
          }
          for (int i = 0; i < leaf.count(); i++) {
            long b = first + i;
            if (leaf.kindId(i) == BlockKind.PARENT.id()) {
              try {
                r.hashAndCrc(b, h); // PARENT entries hold no hash: the parent's index has it
              } catch (IOException e) {
                problem(problems, counts, e.getMessage());
                java.util.Arrays.fill(h, (byte) 0);
              }
            } else {
              leaf.hash(i, h, 0);
            }
            hasher.block(h, 0);
            int len = r.blockLength(b);
            try {
              byte[] data = content(name, r, leaf, i, b, len);
              if (data != null && !Arrays.equals(sha.digest(data), h)) {
                problem(problems, counts, name + ": " + k + " block " + b + " content does not match its SHA-256");
              }
              counts[0]++;
              counts[1] += len;
            } catch (IOException e) {
              problem(problems, counts, e.getMessage());
            }
          }
        }
        parts.add(new Identity.StreamPart(k, r.size(), hasher.finish()));
      }
      byte[] identity = Identity.compute(f.header().blockSize(), parts);
      if (!Arrays.equals(identity, f.contentIdentity())) {
        problem(problems, counts, name + ": identity in the header does not match the index");
      }
    }
    return new VerifyReport(name, counts[0], counts[1], problems, counts[2]);
  }

  private static String redacted(String url) {
    try {
      return ByteSources.redact(java.net.URI.create(url));
    } catch (IllegalArgumentException e) {
      return "(unparseable URL)";
    }
  }

  /** Decoded and CRC-checked content of one block. */
  private static byte[] content(String name, StreamReader r, IndexPage leaf, int i, long b, int len)
      throws IOException {
    BlockKind k = BlockKind.fromId(leaf.kindId(i));
    byte[] data = new byte[len];
    java.nio.ByteBuffer dst = java.nio.ByteBuffer.wrap(data);
    if (k == BlockKind.ZERO && leaf.contentCrc(i) != Checksums.crc32c(data, 0, len)) {
      throw new io.hexz.format.CorruptSnapshotException(name, r.kind() + " zero block " + b + " has a bad checksum");
    }
    if (k != null && k.hasPayload()) {
      // Decode with the leaf in hand: copyBlock would look the leaf up again, and with verify's
      // cache disabled that re-reads and re-checks a 56 KiB index page for every block.
      CachedBlock cb = r.block(leaf, i, b, k);
      try {
        System.arraycopy(cb.data(), 0, data, 0, len);
      } finally {
        cb.release();
      }
      return data;
    }
    r.copyBlock(b, dst, 0, len);
    return data;
  }

  private static void problem(List<String> problems, long[] counts, String what) {
    counts[2]++;
    if (problems.size() < VerifyReport.MAX_PROBLEMS) {
      problems.add(what);
    }
  }

  /** Counts where the snapshot's bytes go. */
  public static AnalyzeReport analyze(Path path) throws IOException {
    return analyze(path, java.util.List.of());
  }

  /** Like {@link #analyze(Path)}, looking for parents of thin snapshots in {@code parentDirs} too. */
  public static AnalyzeReport analyze(Path path, java.util.List<Path> parentDirs) throws IOException {
    return analyze(path.toString(), ReadOptions.UNCACHED.withParentDirs(parentDirs));
  }

  /** Analyzes a local or remote snapshot. */
  public static AnalyzeReport analyze(String path, ReadOptions options) throws IOException {
    try (SnapshotFile f = (SnapshotFile) Snapshots.open(path, checkOptions(options))) {
      java.util.Map<StreamKind, AnalyzeReport.StreamStats> byKind = new java.util.EnumMap<>(StreamKind.class);
      long highest = -1; // payloads are appended in block order: an older offset is a reuse
      // Streams are walked in the order they were written (each one's root page follows all of its
      // payloads), not in kind order: a memory stream written before the disk stream must not have
      // its payloads mistaken for reuses of the disk stream's later ones.
      List<StreamKind> written = new ArrayList<>(f.header().streams().keySet());
      written.sort(java.util.Comparator.comparingLong(k -> f.header().streams().get(k).rootOffset()));
      for (StreamKind k : written) {
        StreamReader r = f.reader(k);
        long zero = 0;
        long parent = 0;
        long dedup = 0;
        long stored = 0;
        long raw = 0;
        long storedLogical = 0;
        long payload = 0;
        for (long first = 0; first < r.blocks(); first += Format.LEAF_FANOUT) {
          IndexPage leaf = r.leafFor(first);
          for (int i = 0; i < leaf.count(); i++) {
            BlockKind kind = BlockKind.fromId(leaf.kindId(i));
            if (kind == BlockKind.ZERO) {
              zero++;
            } else if (kind == BlockKind.PARENT) {
              parent++;
            } else if (leaf.offset(i) <= highest) {
              dedup++;
            } else {
              highest = leaf.offset(i);
              stored++;
              raw += kind == BlockKind.RAW ? 1 : 0;
              storedLogical += r.blockLength(first + i);
              payload += Integer.toUnsignedLong(leaf.storedLength(i));
            }
          }
        }
        byKind.put(k, new AnalyzeReport.StreamStats(k.toString(), r.size(), r.blocks(), zero, parent, dedup, stored,
            raw, storedLogical, payload));
      }
      return new AnalyzeReport(f.name(), f.header().fileLength(), new ArrayList<>(byKind.values()));
    }
  }
}
