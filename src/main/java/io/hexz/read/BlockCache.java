package io.hexz.read;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.io.UncheckedIOException;

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

  private final Cache<Object, Weighed> cache;

  BlockCache(long maxBytes) {
    this.cache = maxBytes <= 0 ? null : Caffeine.newBuilder()
        .maximumWeight(maxBytes)
        .weigher((Object k, Weighed v) -> v.weight() + ENTRY_OVERHEAD)
        .executor(Runnable::run)
        .build();
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

  /** Caches a value computed outside the cache (loads that read other cache entries). */
  void put(Object key, Weighed value) {
    if (cache != null) {
      cache.put(key, value);
    }
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
