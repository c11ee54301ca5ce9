package io.hexz.fuse;

import java.nio.file.Path;
import java.util.List;

/**
 * How a snapshot is mounted. Immutable; validated on construction.
 *
 * @param overlay overlay file for a writable mount, or null for read-only
 * @param cacheBytes block cache size
 * @param prefetch whether the sequential prefetcher runs
 * @param uid owner reported for files (-1: the mounting user)
 * @param gid group reported for files (-1: the mounting group)
 * @param allowOther let other users access the mount (FUSE allow_other)
 * @param fuseOptions extra {@code -o} options passed to libfuse as they are
 * @param debug libfuse debug output
 * @param threads how many threads serve FUSE requests (1: one at a time)
 * @param parentDirs where to look for parents of thin snapshots, after their path hints
 * @param remote how snapshots on HTTP(S) or S3 are fetched
 * @param password the password of encrypted snapshots, or null; needed only until the mount is up
 * @param publicKey serve only snapshots signed by this key, each block checked, or null
 */
public record MountOptions(Path overlay, long cacheBytes, boolean prefetch, long uid, long gid, boolean allowOther,
    List<String> fuseOptions, boolean debug, int threads, List<Path> parentDirs,
    io.hexz.store.RemoteOptions remote, io.hexz.crypto.Secret password, java.security.PublicKey publicKey) {

  public MountOptions(Path overlay, long cacheBytes, boolean prefetch, long uid, long gid, boolean allowOther,
      List<String> fuseOptions, boolean debug, int threads, List<Path> parentDirs,
      io.hexz.store.RemoteOptions remote) {
    this(overlay, cacheBytes, prefetch, uid, gid, allowOther, fuseOptions, debug, threads, parentDirs, remote,
        null, null);
  }

  /** Default block cache for mounts: 256 MiB. */
  public static final long DEFAULT_CACHE = 256L << 20;

  /** Default number of FUSE worker threads. */
  public static final int DEFAULT_THREADS = 4;

  /** Upper bound on FUSE worker threads (each holds a 128 KiB request buffer). */
  public static final int MAX_THREADS = 64;

  public MountOptions {
    fuseOptions = List.copyOf(fuseOptions);
    parentDirs = List.copyOf(parentDirs);
    java.util.Objects.requireNonNull(remote, "remote");
    if (threads < 1 || threads > MAX_THREADS) {
      throw new IllegalArgumentException("FUSE threads (" + threads + ") must be 1.." + MAX_THREADS);
    }
    if (cacheBytes < 0) {
      throw new IllegalArgumentException("cache size (" + cacheBytes + ") must be >= 0");
    }
    for (String o : fuseOptions) {
      if (o.isBlank() || o.contains(" ")) {
        throw new IllegalArgumentException("FUSE option '" + o + "' must be one word (name or name=value)");
      }
    }
  }

  public boolean writable() {
    return overlay != null;
  }
}
