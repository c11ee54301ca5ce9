package io.hexz.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Chunks of remote objects kept on local disk across runs, within a size limit for the whole
 * directory. Thread-safe; several processes may share a directory (files appear by atomic rename,
 * a chunk lost to another process's eviction is just a miss).
 *
 * <p>Layout: {@code DIR/KEY/CHUNK.chunk}, where KEY is the SHA-256 of the object's URI (without
 * credentials or query), its size, its validator (ETag or Last-Modified) and the chunk size, so a
 * changed object never meets the chunks of its earlier version; an object without a validator is
 * not cached on disk. A chunk file is the chunk followed by its CRC32C (little-endian); a file of
 * the wrong length or CRC is deleted and counts as a miss. Eviction deletes the least recently
 * used files (by modification time, touched on every hit) until the directory is below 90% of
 * the limit. Disk errors never fail a read: the cache is skipped.
 */
final class DiskCache {
  private static final System.Logger LOG = System.getLogger(DiskCache.class.getName());

  private final Path root;
  private final Path dir;
  private final long maxBytes;
  private long bytes; // guarded by this: an estimate of the directory's size, recounted on eviction

  private DiskCache(Path root, Path dir, long maxBytes, long bytes) {
    this.root = root;
    this.dir = dir;
    this.maxBytes = maxBytes;
    this.bytes = bytes;
  }

  /** The cache of one object version in {@code root}, or null if the object cannot be cached. */
  static DiskCache open(Path root, long maxBytes, String name, long size, String validator, int chunkSize) {
    if (validator == null) {
      LOG.log(System.Logger.Level.DEBUG, () -> name + ": no ETag or Last-Modified; not cached on disk");
      return null;
    }
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update((name + "\n" + size + "\n" + validator + "\n" + chunkSize).getBytes(StandardCharsets.UTF_8));
      Path dir = root.resolve(HexFormat.of().formatHex(md.digest(), 0, 16));
      Files.createDirectories(dir);
      return new DiskCache(root, dir, maxBytes, usage(root));
    } catch (IOException | NoSuchAlgorithmException e) {
      LOG.log(System.Logger.Level.WARNING, () -> "disk cache " + root + " is not usable (" + e + "); not caching");
      return null;
    }
  }

  private Path file(long chunk) {
    return dir.resolve(Long.toHexString(chunk) + ".chunk");
  }

  boolean contains(long chunk) {
    return Files.isRegularFile(file(chunk));
  }

  /** Chunk {@code chunk} of {@code length} bytes, or null if it is not (correctly) cached. */
  byte[] get(long chunk, int length) {
    Path f = file(chunk);
    try {
      byte[] all = Files.readAllBytes(f);
      if (all.length == length + 4) {
        CRC32C crc = new CRC32C();
        crc.update(all, 0, length);
        if ((int) crc.getValue() == ByteBuffer.wrap(all, length, 4).order(ByteOrder.LITTLE_ENDIAN).getInt()) {
          Files.setLastModifiedTime(f, FileTime.fromMillis(System.currentTimeMillis()));
          return java.util.Arrays.copyOf(all, length);
        }
      }
      LOG.log(System.Logger.Level.WARNING, () -> f + ": damaged cached chunk; fetching it again");
      Files.deleteIfExists(f);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      LOG.log(System.Logger.Level.DEBUG, () -> f + ": " + e);
    }
    return null;
  }

  /** Stores a chunk; evicts old files when the directory passes its limit. */
  void put(long chunk, byte[] data) {
    Path f = file(chunk);
    Path tmp = dir.resolve(Long.toHexString(chunk) + "." + Thread.currentThread().getId() + "-" + System.nanoTime()
        + ".tmp");
    try {
      CRC32C crc = new CRC32C();
      crc.update(data);
      byte[] tail = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue()).array();
      try (var out = Files.newOutputStream(tmp)) {
        out.write(data);
        out.write(tail);
      }
      Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      LOG.log(System.Logger.Level.DEBUG, () -> f + ": not cached (" + e + ")");
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // best effort
      }
      return;
    }
    synchronized (this) {
      bytes += data.length + 4;
      if (bytes > maxBytes) {
        evict();
      }
    }
  }

  /** Deletes the least recently used chunk files of all objects until below 90% of the limit: guarded by this. */
  private void evict() {
    record Entry(Path path, long size, long time) {}
    List<Entry> all = new ArrayList<>();
    long stale = System.currentTimeMillis() - 3_600_000; // temporary files of crashed writers
    try (Stream<Path> s = Files.walk(root, 2)) {
      s.filter(p -> p.getFileName().toString().endsWith(".chunk") || (p.getFileName().toString().endsWith(".tmp")
          && lastModified(p) < stale)).forEach(p -> {
        try {
          all.add(new Entry(p, Files.size(p), Files.getLastModifiedTime(p).toMillis()));
        } catch (IOException e) {
          // vanished meanwhile
        }
      });
    } catch (IOException | java.io.UncheckedIOException e) {
      LOG.log(System.Logger.Level.DEBUG, () -> root + ": cannot list for eviction (" + e + ")");
      return;
    }
    all.sort((a, b) -> Long.compare(a.time(), b.time()));
    long total = all.stream().mapToLong(Entry::size).sum();
    long target = maxBytes / 10 * 9;
    for (Entry e : all) {
      if (total <= target) {
        break;
      }
      try {
        Files.deleteIfExists(e.path());
        total -= e.size();
      } catch (IOException x) {
        // another process holds it; skip
      }
    }
    bytes = total;
    removeEmptyDirs();
  }

  private void removeEmptyDirs() {
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
      for (Path d : ds) {
        if (!d.equals(dir) && Files.isDirectory(d)) {
          try (Stream<Path> s = Files.list(d)) {
            if (s.findAny().isEmpty()) {
              Files.deleteIfExists(d);
            }
          } catch (IOException e) {
            // in use or not empty
          }
        }
      }
    } catch (IOException e) {
      // best effort
    }
  }

  private static long lastModified(Path p) {
    try {
      return Files.getLastModifiedTime(p).toMillis();
    } catch (IOException e) {
      return Long.MAX_VALUE;
    }
  }

  private static long usage(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root, 2)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".chunk")).mapToLong(p -> {
        try {
          return Files.size(p);
        } catch (IOException e) {
          return 0;
        }
      }).sum();
    }
  }
}
