package io.hexz.read;

import io.hexz.crypto.Secret;
import io.hexz.store.RemoteOptions;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import java.util.Objects;

/**
 * How a snapshot is read. Immutable; build with {@link #builder()} (or {@link #toBuilder()} of a
 * named configuration such as {@link #DEFAULTS} or {@link #UNCACHED}), which checks every value
 * when it is set.
 */
public final class ReadOptions {
  /** 256 MiB cache, prefetch 4 MiB ahead on 2 threads: for reading data (mounts, cat, extract). */
  public static final ReadOptions DEFAULTS = builder().build();

  /**
   * No cache and no prefetch: for one pass that reads each structure once (inspect, and the
   * entry points of verify and analyze, which size their own cache).
   */
  public static final ReadOptions UNCACHED = builder().cacheBytes(0).prefetch(false).prefetchBytes(0)
      .prefetchThreads(1).build();

  /**
   * A 64 MiB cache and no prefetch: for random lookups, such as a writer reading the parent of a
   * thin snapshot block by block.
   */
  public static final ReadOptions LOOKUPS = UNCACHED.toBuilder().cacheBytes(64L << 20).build();

  private static final long MAX_PREFETCH_BYTES = 1L << 30;
  private static final int MAX_PREFETCH_THREADS = 64;

  private final long cacheBytes;
  private final boolean prefetch;
  private final long prefetchBytes;
  private final int prefetchThreads;
  private final List<Path> parentDirs;
  private final RemoteOptions remote;
  private final Secret password;
  private final PublicKey publicKey;

  private ReadOptions(Builder b) {
    this.cacheBytes = b.cacheBytes;
    this.prefetch = b.prefetch;
    this.prefetchBytes = b.prefetchBytes;
    this.prefetchThreads = b.prefetchThreads;
    this.parentDirs = b.parentDirs;
    this.remote = b.remote;
    this.password = b.password;
    this.publicKey = b.publicKey;
  }

  /** A builder holding {@link #DEFAULTS}' values. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these options. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.cacheBytes = cacheBytes;
    b.prefetch = prefetch;
    b.prefetchBytes = prefetchBytes;
    b.prefetchThreads = prefetchThreads;
    b.parentDirs = parentDirs;
    b.remote = remote;
    b.password = password;
    b.publicKey = publicKey;
    return b;
  }

  /** Bytes of decompressed blocks and index pages kept in memory. */
  public long cacheBytes() {
    return cacheBytes;
  }

  /** Whether sequential reads trigger background reads of the following blocks. */
  public boolean prefetch() {
    return prefetch;
  }

  /** How far ahead the prefetcher reads on a sequential run. */
  public long prefetchBytes() {
    return prefetchBytes;
  }

  /** Threads of the prefetch pool. */
  public int prefetchThreads() {
    return prefetchThreads;
  }

  /** Where to look for the parents of thin snapshots, after the path hint. */
  public List<Path> parentDirs() {
    return parentDirs;
  }

  /** How HTTP(S) and S3 snapshots are fetched (endpoint, region, SSRF policy...). */
  public RemoteOptions remote() {
    return remote;
  }

  /**
   * The password of encrypted snapshots (every layer of a chain), or null; the caller owns it and
   * wipes it ({@link Secret#close}) once the snapshot is open.
   */
  public Secret password() {
    return password;
  }

  /**
   * When set, only snapshots signed by this Ed25519 key open, and every block read is checked
   * against its signed SHA-256.
   */
  public PublicKey publicKey() {
    return publicKey;
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

  /** These options with another {@link #cacheBytes}; the same as {@code toBuilder().cacheBytes(bytes).build()}. */
  public ReadOptions withCacheBytes(long bytes) {
    return toBuilder().cacheBytes(bytes).build();
  }

  /** These options with another {@link #prefetch}. */
  public ReadOptions withPrefetch(boolean on) {
    return toBuilder().prefetch(on).build();
  }

  /** These options with other {@link #parentDirs}. */
  public ReadOptions withParentDirs(List<Path> dirs) {
    return toBuilder().parentDirs(dirs).build();
  }

  /** These options with another {@link #password} (null for none). */
  public ReadOptions withPassword(Secret p) {
    return toBuilder().password(p).build();
  }

  /** These options with another {@link #publicKey} (null for none). */
  public ReadOptions withPublicKey(PublicKey k) {
    return toBuilder().publicKey(k).build();
  }

  /** These options with other {@link #remote} options. */
  public ReadOptions withRemote(RemoteOptions r) {
    return toBuilder().remote(r).build();
  }

  @Override
  public String toString() {
    return "ReadOptions[cacheBytes=" + cacheBytes + ", prefetch=" + prefetch + ", prefetchBytes=" + prefetchBytes
        + ", prefetchThreads=" + prefetchThreads + ", parentDirs=" + parentDirs + ", remote=" + remote
        + ", password=" + (password == null ? "none" : "set") + ", publicKey=" + (publicKey == null ? "none" : "set")
        + "]";
  }

  /** Collects options; every setter checks its value at once. Not thread-safe. */
  public static final class Builder {
    private long cacheBytes = 256L << 20;
    private boolean prefetch = true;
    private long prefetchBytes = 4L << 20;
    private int prefetchThreads = 2;
    private List<Path> parentDirs = List.of();
    private RemoteOptions remote = RemoteOptions.DEFAULTS;
    private Secret password;
    private PublicKey publicKey;

    private Builder() {}

    /** Bytes of decoded blocks and index pages to keep; 0 keeps none (each read decodes again). */
    public Builder cacheBytes(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("cacheBytes (" + bytes + ") must be >= 0");
      }
      this.cacheBytes = bytes;
      return this;
    }

    public Builder prefetch(boolean on) {
      this.prefetch = on;
      return this;
    }

    /** How far ahead a sequential run is read; 0 turns the prefetcher off. */
    public Builder prefetchBytes(long bytes) {
      if (bytes < 0 || bytes > MAX_PREFETCH_BYTES) {
        throw new IllegalArgumentException("prefetchBytes (" + bytes + ") must be in 0..1 GiB");
      }
      this.prefetchBytes = bytes;
      return this;
    }

    public Builder prefetchThreads(int n) {
      if (n < 1 || n > MAX_PREFETCH_THREADS) {
        throw new IllegalArgumentException("prefetchThreads (" + n + ") must be in 1.." + MAX_PREFETCH_THREADS);
      }
      this.prefetchThreads = n;
      return this;
    }

    public Builder parentDirs(List<Path> dirs) {
      this.parentDirs = List.copyOf(dirs);
      return this;
    }

    public Builder remote(RemoteOptions r) {
      this.remote = Objects.requireNonNull(r, "remote");
      return this;
    }

    /**
     * The cache and prefetch settings of {@code like} (cacheBytes, prefetch, prefetchBytes,
     * prefetchThreads), keeping where parents are looked for, how remote snapshots are fetched,
     * the password and the public key.
     */
    public Builder caching(ReadOptions like) {
      this.cacheBytes = like.cacheBytes;
      this.prefetch = like.prefetch;
      this.prefetchBytes = like.prefetchBytes;
      this.prefetchThreads = like.prefetchThreads;
      return this;
    }

    /** The password of encrypted snapshots, or null; the caller keeps ownership and wipes it. */
    public Builder password(Secret p) {
      this.password = p;
      return this;
    }

    public Builder publicKey(PublicKey k) {
      this.publicKey = k;
      return this;
    }

    public ReadOptions build() {
      return new ReadOptions(this);
    }
  }
}
