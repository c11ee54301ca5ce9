package io.hexz.read;

import io.hexz.codec.Warmup;
import io.hexz.crypto.SnapshotCipher;
import io.hexz.format.CorruptSnapshotException;
import io.hexz.format.Header;
import io.hexz.format.Metadata;
import io.hexz.format.WrongPasswordException;
import io.hexz.format.StreamDescriptor;
import io.hexz.format.StreamKind;
import io.hexz.store.ByteSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A snapshot file opened for reading: header, metadata and index roots are read and checked at
 * open; index pages and blocks are read on demand through the shared {@link BlockCache}. This
 * class holds the layer's place in its chain (its parent), its streams and its lifecycle (the
 * prefetch and async pools, the cipher, close); the work is done by:
 * <ul>
 *   <li>{@link SnapshotOpener}: the reads before anything is trusted (header, key, key check,
 *       metadata);
 *   <li>{@link StreamReader}, one per stream: serves blocks as their entries say, checking cache
 *       hits against the asking entry;
 *   <li>{@link StreamIndex}: finds a block's entry (index pages, cached, and pinned by
 *       {@link LeafPins} when hashes are checked);
 *   <li>{@link PayloadDecoder}: stored payload in, checked block ({@link CachedBlock}) out.
 * </ul>
 *
 * <p>Concurrency: thread-safe. All mutable state lives in the cache (thread-safe), the
 * per-stream {@link Prefetcher} (races there only change what is prefetched) and the lazily
 * created async pool (guarded by {@code this}).
 *
 * <p>Integrity: every payload's offset and length are bounds-checked against the file before it
 * is read; every decoded block is checked against the CRC32C in its index entry, also when it
 * comes from the cache (a cached block carries its CRC). A mismatch is a
 * {@link CorruptSnapshotException} naming the file, stream and block; wrong bytes are never
 * returned.
 *
 * <p>Encryption (header flag ENCRYPTED): at open the key is derived from {@link
 * ReadOptions#password()} and the key check is opened, which proves the password and
 * authenticates every clear header field before anything else is read; a failure is one {@link
 * WrongPasswordException}. Metadata, index pages and payloads are then each opened (AES-GCM) with
 * the nonce and AAD of their own offset after their CRC32C is checked; a tag that fails (a
 * structure changed, moved, swapped or spliced in from another snapshot) is a
 * {@link CorruptSnapshotException}, never data.
 *
 * <p>Signature ({@link ReadOptions#publicKey()}): at open the signature block must name that key
 * and verify over the root hash, which walks every leaf entry (see {@link SignedRoot}); the SHA-256
 * of every leaf page seen then is pinned, so a page re-read later must be the one that was
 * checked, and every block loaded is checked against its SHA-256, on a cache hit as on a load (see
 * {@link StreamReader} for why a hit is checked too). Parents of such a snapshot are opened with
 * the same block and page checks (their hashes are part of the child's root), and so is a clear
 * parent of an encrypted child ({@link HashCheck#AUTHENTICATED}, see {@link Chains}).
 */
final class SnapshotFile extends AbstractBlockDevice implements Snapshot {
  private static final AtomicLong IDS = new AtomicLong();

  private final long id = IDS.incrementAndGet();
  private final ByteSource source;
  private final String name;
  private final Header header;
  private final Metadata metadata;
  private final BlockCache cache;
  private final ReadOptions options;
  private final SnapshotFile parent;
  private final Map<StreamKind, StreamReader> streams = new EnumMap<>(StreamKind.class);
  private final ExecutorService prefetchPool;
  private final AtomicBoolean closed = new AtomicBoolean();
  private ExecutorService asyncPool; // guarded by this
  private final SnapshotCipher cipher; // null unless encrypted
  private final byte[] contentIdentity;
  private final byte[] rawHeader;
  private final byte[] metadataHash;
  private Tree tree; // guarded by this; created on first use

  private SnapshotFile(ByteSource source, BlockCache cache, ReadOptions options, SnapshotFile parent,
      SnapshotOpener.Opened o) {
    super(source.name());
    this.cipher = o.cipher();
    this.contentIdentity = o.identity();
    this.rawHeader = o.rawHeader();
    this.metadataHash = o.metadataHash();
    this.source = source;
    this.name = source.name();
    this.header = o.header();
    this.metadata = o.metadata();
    this.cache = cache;
    this.options = options;
    this.parent = parent;
    this.prefetchPool = options.prefetch() && options.prefetchBytes() > 0
        ? Pools.bounded("hexz-prefetch", options.prefetchThreads(), 256) : null;
  }

  static SnapshotFile open(ByteSource source, ReadOptions options, BlockCache cache, SnapshotFile parent)
      throws IOException {
    return open(source, options, cache, parent, options.publicKey() != null ? HashCheck.SIGNED : HashCheck.OFF);
  }

  /**
   * Opens {@code source}; on failure the source is left open for the caller to close.
   *
   * @param parent the already opened and identity-checked parent, required for thin snapshots
   * @param hashCheck whether every block is checked against its SHA-256 and leaf pages are
   *     pinned (set for a signed snapshot and its parents)
   */
  static SnapshotFile open(ByteSource source, ReadOptions options, BlockCache cache, SnapshotFile parent,
      HashCheck hashCheck) throws IOException {
    return open(source, SnapshotOpener.readHeaderBytes(source), options, cache, parent, hashCheck);
  }

  /**
   * As {@link #open(ByteSource, ReadOptions, BlockCache, SnapshotFile, HashCheck)}, over header
   * bytes already read from {@code source}: the caller that checked them (a parent's identity)
   * gets exactly the header it checked, not a second read.
   */
  static SnapshotFile open(ByteSource source, byte[] raw, ReadOptions options, BlockCache cache, SnapshotFile parent,
      HashCheck hashCheck) throws IOException {
    Warmup.start(); // compiles the decoders in the background before the first reads need them
    SnapshotOpener.Opened o = SnapshotOpener.open(source, raw, options.password(), parent != null);
    SnapshotFile f = null;
    try {
      f = new SnapshotFile(source, cache, options, parent, o);
      f.openStreams(hashCheck);
      if (options.publicKey() != null) {
        SignedRoot.check(f, options.publicKey());
      }
    } catch (IOException | RuntimeException e) {
      if (f != null) {
        f.shutdownPools();
      }
      if (o.cipher() != null) {
        o.cipher().close();
      }
      throw e;
    }
    return f;
  }

  /** Creates a reader for each stream (each reads its root index page). */
  private void openStreams(HashCheck hashCheck) throws IOException {
    StreamReader.Layer layer = new StreamReader.Layer(id, source, header, cipher, cache, hashCheck,
        hashCheck == HashCheck.OFF ? null : new LeafPins(name), closed::get, prefetchPool, options.prefetchBytes());
    for (StreamDescriptor d : header.streams().values()) {
      streams.put(d.kind(), new StreamReader(layer, d, parent == null ? null : parent.reader(d.kind())));
    }
  }

  /** The content identity (in an encrypted snapshot the header shows only an opaque one). */
  byte[] contentIdentity() {
    return contentIdentity.clone();
  }

  /** The header as read, for signing. */
  byte[] rawHeader() {
    return rawHeader.clone();
  }

  /** SHA-256 of the metadata's plaintext. */
  byte[] metadataHash() {
    return metadataHash.clone();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Header header() {
    return header;
  }

  @Override
  public Metadata metadata() {
    return metadata;
  }

  /** Bytes of block cache this snapshot reads through. */
  long cacheBytes() {
    return options.cacheBytes();
  }

  /** The parent of a thin snapshot, or null. */
  SnapshotFile parent() {
    return parent;
  }

  ByteSource source() {
    return source;
  }

  @Override
  public synchronized Optional<Tree> tree() throws IOException {
    if (!header.isTree()) {
      return Optional.empty();
    }
    if (tree == null) {
      tree = ManifestReader.open(name, streams.get(StreamKind.MANIFEST), streams.get(StreamKind.DISK));
    }
    return Optional.of(tree);
  }

  @Override
  public Optional<BlockDevice> stream(StreamKind kind) {
    return Optional.ofNullable(streams.get(kind));
  }

  StreamReader reader(StreamKind kind) {
    return streams.get(kind);
  }

  @Override
  public long size() {
    return streams.get(StreamKind.DISK).size();
  }

  @Override
  protected int readChecked(ByteBuffer dst, long offset) throws IOException {
    return streams.get(StreamKind.DISK).read(dst, offset);
  }

  @Override
  protected Extent extentAtChecked(long offset, long length) throws IOException {
    return streams.get(StreamKind.DISK).extentAt(offset, length);
  }

  @Override
  protected boolean isClosed() {
    return closed.get();
  }

  @Override
  public CompletableFuture<Integer> readAsync(StreamKind kind, ByteBuffer dst, long offset) {
    StreamReader r = streams.get(kind);
    if (r == null) {
      return CompletableFuture.failedFuture(new IllegalArgumentException(name + " has no " + kind + " stream"));
    }
    ExecutorService pool;
    synchronized (this) {
      if (closed.get()) {
        return CompletableFuture.failedFuture(closedException());
      }
      if (asyncPool == null) {
        asyncPool = Pools.bounded("hexz-async", Math.max(2, Runtime.getRuntime().availableProcessors()), 4096);
      }
      pool = asyncPool;
    }
    CompletableFuture<Integer> f = new CompletableFuture<>();
    try {
      pool.execute(() -> {
        try {
          f.complete(r.read(dst, offset));
        } catch (Throwable t) {
          f.completeExceptionally(t);
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      f.completeExceptionally(new IOException(name + ": too many asynchronous reads in flight", e));
    }
    return f;
  }

  @Override
  public void close() throws IOException {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    shutdownPools();
    if (cipher != null) {
      cipher.close();
    }
    try {
      source.close();
    } finally {
      if (parent != null) {
        parent.close();
      }
    }
  }

  private synchronized void shutdownPools() {
    if (prefetchPool != null) {
      prefetchPool.shutdownNow();
    }
    if (asyncPool != null) {
      asyncPool.shutdown();
    }
  }
}
