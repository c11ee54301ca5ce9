package io.hexz.store;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.file.FileSystemException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * A remote object read through aligned chunks, with readahead and a bounded in-memory cache.
 * Thread-safe.
 *
 * <p><b>Chunks.</b> The object is cut into chunks of {@code chunkSize} bytes at multiples of
 * {@code chunkSize} (the last one may be shorter). A read is served by copying from the chunks it
 * touches; a chunk is fetched once and then kept in an LRU of at most {@code cacheBytes /
 * chunkSize} chunks. Small reads (index pages, compressed blocks of a few KiB) thus cost one
 * request per chunk, not one per read.
 *
 * <p><b>Readahead.</b> A miss fetches, in one request, the chunks this read needs and, if the
 * reads look sequential, more: the length of the run of chunks cached just before the missed one
 * (doubled, at most {@code readaheadBytes}). Like the kernel's context readahead this needs no
 * per-reader state, so interleaved sequential readers (FUSE threads, the prefetcher) each still
 * grow their window; a random read fetches only the chunks it needs. A request never covers a
 * chunk that is cached or already being fetched.
 *
 * <p><b>Concurrency.</b> One lock ({@code this}) guards the LRU and the map of chunks in flight;
 * it is never held during I/O. The reader that misses first registers a future for every chunk
 * of its request, fetches outside the lock, then publishes the chunks and completes the futures;
 * other readers of those chunks wait on the futures, so concurrent readers share one fetch. A
 * failed fetch completes its futures exceptionally and caches nothing: every waiter gets the
 * error, the next read tries again. Waiting is bounded because every fetch is (timeouts times
 * bounded retries).
 *
 * <p><b>Memory.</b> At most the cache bound, plus, per thread fetching at the moment, one request
 * of at most {@code readaheadBytes}.
 */
final class RemoteByteSource implements ByteSource {
  private final RangeFetcher fetcher;
  private final Retrier retrier;
  private final Stats stats;
  private final DiskCache disk; // null without a disk cache
  private final String name;
  private final long size;
  private final int shift;
  private final int chunkSize;
  private final int maxWindow;
  private final int maxChunks;
  private final Map<Long, byte[]> lru; // guarded by this
  private final Map<Long, CompletableFuture<byte[]>> inflight = new HashMap<>(); // guarded by this
  private volatile boolean closed;

  RemoteByteSource(RangeFetcher fetcher, RemoteOptions o, Stats stats, Retrier retrier, DiskCache disk) {
    this.fetcher = fetcher;
    this.retrier = retrier;
    this.stats = stats;
    this.disk = disk;
    this.name = fetcher.name();
    this.size = fetcher.size();
    this.chunkSize = o.chunkSize();
    this.shift = Integer.numberOfTrailingZeros(chunkSize);
    this.maxWindow = Math.max(1, o.readaheadBytes() / chunkSize);
    this.maxChunks = (int) Math.max(2L * maxWindow, Math.min(Integer.MAX_VALUE, o.cacheBytes() / chunkSize));
    int cap = maxChunks;
    this.lru = new LinkedHashMap<>(16, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<Long, byte[]> eldest) {
        return size() > cap;
      }
    };
    byte[] probe = fetcher.takeProbe();
    if (probe != null && probe.length == chunkLength(0)) {
      lru.put(0L, probe);
      if (disk != null) {
        disk.put(0, probe);
      }
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public Optional<RemoteStats> remoteStats() {
    return Optional.of(stats.snapshot());
  }

  @Override
  public void readFully(ByteBuffer dst, long position) throws IOException {
    if (closed) {
      throw new FileSystemException(name, null, "closed");
    }
    int len = dst.remaining();
    if (position < 0 || position > size - len) {
      throw new EOFException(name + ": read of " + len + " bytes at offset " + position + " passes the end ("
          + size + " bytes)");
    }
    if (len == 0) {
      return;
    }
    long last = (position + len - 1) >>> shift;
    long pos = position;
    for (long c = position >>> shift; c <= last; c++) {
      byte[] chunk = chunk(c, last);
      int from = (int) (pos - (c << shift));
      int n = Math.min(chunk.length - from, dst.remaining());
      dst.put(chunk, from, n);
      pos += n;
    }
    stats.bytesRead.add(len);
  }

  /** Chunk {@code c}, fetching it (and up to {@code last}, and readahead) if needed. */
  private byte[] chunk(long c, long last) throws IOException {
    CompletableFuture<byte[]> wait;
    List<CompletableFuture<byte[]>> mine = null;
    synchronized (this) {
      byte[] b = lru.get(c);
      if (b != null) {
        stats.chunkHits.increment();
        return b;
      }
      wait = inflight.get(c);
      if (wait == null) {
        int n = plan(c, last);
        mine = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          CompletableFuture<byte[]> f = new CompletableFuture<>();
          inflight.put(c + i, f);
          mine.add(f);
        }
        wait = mine.get(0);
      } else {
        stats.chunkHits.increment();
      }
    }
    if (mine != null) {
      load(c, mine);
    }
    return await(wait);
  }

  /** How many chunks to fetch from {@code c} on: guarded by this. */
  private int plan(long c, long last) {
    long chunks = ((size - 1) >>> shift) + 1;
    int run = 0;
    while (run < maxWindow && c - 1 - run >= 0 && lru.containsKey(c - 1 - run)) {
      run++;
    }
    long want = Math.max(last - c + 1, run == 0 ? 1 : 2L * run);
    int n = (int) Math.min(Math.min(want, maxWindow), chunks - c);
    for (int i = 1; i < n; i++) {
      if (lru.containsKey(c + i) || inflight.containsKey(c + i)) {
        return i;
      }
    }
    return Math.max(1, n);
  }

  /** Fills the futures of chunks {@code c, c+1, ...}: from the disk cache where it has them, else in one request per run. */
  private void load(long c, List<CompletableFuture<byte[]>> futures) throws IOException {
    int n = futures.size();
    byte[][] bufs = new byte[n][];
    try {
      int i = 0;
      while (i < n) {
        byte[] cached = disk == null ? null : disk.get(c + i, chunkLength(c + i));
        if (cached != null) {
          stats.diskHits.increment();
          bufs[i++] = cached;
          continue;
        }
        int j = i;
        while (j < n && (j == i || disk == null || !disk.contains(c + j))) {
          j++;
        }
        byte[][] run = new byte[j - i][];
        for (int k = i; k < j; k++) {
          run[k - i] = new byte[chunkLength(c + k)];
        }
        long offset = (c + i) << shift;
        retrier.call(name, () -> {
          fetcher.fetch(offset, run);
          return null;
        });
        stats.chunksFetched.add(run.length);
        for (int k = i; k < j; k++) {
          bufs[k] = run[k - i];
          if (disk != null) {
            disk.put(c + k, bufs[k]);
          }
        }
        i = j;
      }
    } catch (IOException | RuntimeException | Error e) {
      synchronized (this) {
        for (int k = 0; k < n; k++) {
          inflight.remove(c + k);
        }
      }
      for (CompletableFuture<byte[]> f : futures) {
        f.completeExceptionally(e);
      }
      throw e;
    }
    synchronized (this) {
      for (int k = 0; k < n; k++) {
        lru.put(c + k, bufs[k]);
        inflight.remove(c + k);
      }
    }
    for (int k = 0; k < n; k++) {
      futures.get(k).complete(bufs[k]);
    }
  }

  private byte[] await(CompletableFuture<byte[]> f) throws IOException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException(name + ": interrupted while waiting for a chunk");
    } catch (ExecutionException e) {
      Throwable t = e.getCause();
      if (t instanceof IOException) {
        throw (IOException) t;
      }
      if (t instanceof RuntimeException) {
        throw (RuntimeException) t;
      }
      if (t instanceof Error) {
        throw (Error) t;
      }
      throw new IOException(name + ": " + t, t);
    }
  }

  private int chunkLength(long c) {
    return (int) Math.min(chunkSize, size - (c << shift));
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    synchronized (this) {
      lru.clear();
    }
    fetcher.close();
  }
}
