package io.hexz.read;

import io.hexz.crypto.Secret;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;

/**
 * How a snapshot is read. Immutable; validated on construction.
 *
 * @param cacheBytes bytes of decompressed blocks and index pages kept in memory
 * @param prefetch whether sequential reads trigger background reads of the following blocks
 * @param prefetchBytes how far ahead the prefetcher reads on a sequential run
 * @param prefetchThreads threads of the prefetch pool
 * @param parentDirs where to look for the parents of thin snapshots, after the path hint
 * @param remote how HTTP(S) and S3 snapshots are fetched (endpoint, region, SSRF policy...)
 * @param password the password of encrypted snapshots (every layer of a chain), or null; the
 *     caller owns it and wipes it ({@link Secret#close}) once the snapshot is open
 * @param publicKey when set, only snapshots signed by this Ed25519 key open, and every block read
 *     is checked against its signed SHA-256
 */
public record ReadOptions(long cacheBytes, boolean prefetch, long prefetchBytes, int prefetchThreads,
    List<Path> parentDirs, io.hexz.store.RemoteOptions remote, Secret password, PublicKey publicKey) {

  /** 256 MiB cache, prefetch 4 MiB ahead on 2 threads. */
  public static final ReadOptions DEFAULTS = new ReadOptions(256L << 20, true, 4L << 20, 2);

  public ReadOptions(long cacheBytes, boolean prefetch, long prefetchBytes, int prefetchThreads) {
    this(cacheBytes, prefetch, prefetchBytes, prefetchThreads, List.of());
  }

  public ReadOptions(long cacheBytes, boolean prefetch, long prefetchBytes, int prefetchThreads,
      List<Path> parentDirs) {
    this(cacheBytes, prefetch, prefetchBytes, prefetchThreads, parentDirs, io.hexz.store.RemoteOptions.DEFAULTS);
  }

  public ReadOptions(long cacheBytes, boolean prefetch, long prefetchBytes, int prefetchThreads,
      List<Path> parentDirs, io.hexz.store.RemoteOptions remote) {
    this(cacheBytes, prefetch, prefetchBytes, prefetchThreads, parentDirs, remote, null, null);
  }

  public ReadOptions {
    parentDirs = List.copyOf(parentDirs);
    java.util.Objects.requireNonNull(remote, "remote");
    if (cacheBytes < 0) {
      throw new IllegalArgumentException("cacheBytes (" + cacheBytes + ") must be >= 0");
    }
    if (prefetchBytes < 0 || prefetchBytes > (1L << 30)) {
      throw new IllegalArgumentException("prefetchBytes (" + prefetchBytes + ") must be in 0..1 GiB");
    }
    if (prefetchThreads < 1 || prefetchThreads > 64) {
      throw new IllegalArgumentException("prefetchThreads (" + prefetchThreads + ") must be in 1..64");
    }
  }

  /**
   * Most bytes of decoded blocks a reader with a cache of {@code cacheBytes} holds: the cache plus
   * the pool that recycles evicted block buffers (1/8 of the cache, 4..32 MiB). Heap sizing of a
   * mount process starts from this.
   */
  public static long blockMemory(long cacheBytes) {
    return cacheBytes + recyclePool(cacheBytes);
  }

  static long recyclePool(long cacheBytes) {
    return Math.max(4L << 20, Math.min(32L << 20, cacheBytes / 8));
  }

  public ReadOptions withCacheBytes(long bytes) {
    return new ReadOptions(bytes, prefetch, prefetchBytes, prefetchThreads, parentDirs, remote, password, publicKey);
  }

  public ReadOptions withPrefetch(boolean on) {
    return new ReadOptions(cacheBytes, on, prefetchBytes, prefetchThreads, parentDirs, remote, password, publicKey);
  }

  public ReadOptions withParentDirs(List<Path> dirs) {
    return new ReadOptions(cacheBytes, prefetch, prefetchBytes, prefetchThreads, dirs, remote, password, publicKey);
  }

  public ReadOptions withPassword(Secret p) {
    return new ReadOptions(cacheBytes, prefetch, prefetchBytes, prefetchThreads, parentDirs, remote, p, publicKey);
  }

  public ReadOptions withPublicKey(PublicKey k) {
    return new ReadOptions(cacheBytes, prefetch, prefetchBytes, prefetchThreads, parentDirs, remote, password, k);
  }

  public ReadOptions withRemote(io.hexz.store.RemoteOptions r) {
    return new ReadOptions(cacheBytes, prefetch, prefetchBytes, prefetchThreads, parentDirs, r, password, publicKey);
  }
}
