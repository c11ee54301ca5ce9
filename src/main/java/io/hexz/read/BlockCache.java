package io.hexz.read;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A byte-bounded cache of decompressed blocks and decoded index pages, shared by every layer of a
 * snapshot chain.
 *
 * <p>Concurrency: thread-safe. Loads go through Caffeine's {@code get(key, loader)}, which runs
 * the loader at most once per key at a time: concurrent misses on one block wait for a single
 * decompression instead of each doing it. Maintenance runs on the calling thread
 * ({@code executor(Runnable::run)}) so the cache starts no threads of its own.
 *
 * <p>Eviction: weighed in bytes (payload length plus a fixed per-entry overhead), bounded by the
 * configured size; a size of zero disables caching (every read decodes).
 *
 * <p>Recycling: decoded blocks are {@link Counted}. Their buffers come from a small pool and go
 * back to it when the last holder (the cache, or a reader that {@link #acquire acquired} it)
 * releases them. A cache that is most of a bounded heap and churns through large arrays otherwise
 * makes the JVM run a full collection every few megabytes of reading (measured: 276 full GCs,
 * 8.4 s of pauses in two sequential reads of a 2 GiB image with the default 256 MiB cache).
 */
final class BlockCache {
  /** Rough per-entry bookkeeping cost in Caffeine and the key objects. */
  private static final int ENTRY_OVERHEAD = 96;

  /** Loads a value that is not cached; may throw I/O errors. */
  interface Loader<V> {
    V load() throws IOException;
  }

  /** A cached value's weight in bytes. */
  interface Weighed {
    int weight();
  }

  /**
   * A value whose memory is recycled: it starts with one reference (its loader's, handed to the
   * cache or to the caller), {@link #retain} adds one unless all are gone, and the last
   * {@link #release} returns its buffer to the pool. Implementations are thread-safe.
   */
  interface Counted extends Weighed {
    /** Adds a reference; false if the value was already released by every holder. */
    boolean retain();

    /** Drops a reference; the last one recycles the value's buffer. */
    void release();
  }

  private final Cache<Object, Weighed> cache;
  private final Map<Integer, Queue<byte[]>> pool = new ConcurrentHashMap<>();
  private final AtomicLong pooledBytes = new AtomicLong();
  private final long poolMax;

  BlockCache(long maxBytes) {
    this.cache = maxBytes <= 0 ? null : Caffeine.newBuilder()
        .maximumWeight(maxBytes)
        .weigher((Object k, Weighed v) -> v.weight() + ENTRY_OVERHEAD)
        .executor(Runnable::run)
        .removalListener((Object k, Weighed v, com.github.benmanes.caffeine.cache.RemovalCause c) -> {
          if (v instanceof Counted counted) {
            counted.release();
          }
        })
        .build();
    this.poolMax = ReadOptions.recyclePool(maxBytes);
  }

  /** A buffer of exactly {@code length} bytes, recycled if one is pooled; contents undefined. */
  byte[] buffer(int length) {
    Queue<byte[]> q = pool.get(length);
    byte[] b = q == null ? null : q.poll();
    if (b == null) {
      return new byte[length];
    }
    pooledBytes.addAndGet(-length);
    return b;
  }

  /** Returns a buffer no holder uses any more; dropped when the pool is full. */
  void recycle(byte[] b) {
    if (pooledBytes.addAndGet(b.length) > poolMax) {
      pooledBytes.addAndGet(-b.length);
      return;
    }
    pool.computeIfAbsent(b.length, k -> new ConcurrentLinkedQueue<>()).offer(b);
  }

  /**
   * The value for {@code key}, loading it if absent, retained for the caller, who must
   * {@link Counted#release release} it after use. A value evicted before it could be retained
   * (a cache smaller than one value) is loaded again as a private copy.
   */
  <V extends Counted> V acquire(Object key, Loader<V> loader) throws IOException {
    if (cache == null) {
      return loader.load();
    }
    for (int attempt = 0; attempt < 2; attempt++) {
      V v = get(key, loader);
      if (v.retain()) {
        return v;
      }
    }
    return loader.load();
  }

  /** The cached value retained for the caller, or null. */
  <V extends Counted> V acquireIfPresent(Object key) {
    V v = getIfPresent(key);
    return v != null && v.retain() ? v : null;
  }

  /**
   * Caches a freshly loaded value computed outside the cache (loads that read other cache
   * entries) and returns it retained for the caller.
   */
  <V extends Counted> V insert(Object key, V value) {
    value.retain();
    if (cache == null) {
      value.release();
    } else {
      cache.put(key, value);
    }
    return value;
  }

  @SuppressWarnings("unchecked")
  <V extends Weighed> V get(Object key, Loader<V> loader) throws IOException {
    if (cache == null) {
      return loader.load();
    }
    try {
      return (V) cache.get(key, k -> {
        try {
          return loader.load();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** The cached value, or null. */
  @SuppressWarnings("unchecked")
  <V extends Weighed> V getIfPresent(Object key) {
    return cache == null ? null : (V) cache.getIfPresent(key);
  }

  /** Whether {@code key} is cached now (for the prefetcher: skip work already done). */
  boolean contains(Object key) {
    return cache != null && cache.getIfPresent(key) != null;
  }

  /** Bytes currently held (estimate). */
  long weightedSize() {
    return cache == null ? 0 : cache.policy().eviction().map(e -> e.weightedSize().orElse(0L)).orElse(0L);
  }

  void invalidateAll() {
    if (cache != null) {
      cache.invalidateAll();
    }
  }
}
