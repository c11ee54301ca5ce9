package io.hexz.read;

import io.hexz.codec.Codec;
import io.hexz.codec.CodecException;
import io.hexz.format.BlockKind;
import io.hexz.format.Checksums;
import io.hexz.format.CorruptSnapshotException;
import io.hexz.format.Format;
import io.hexz.format.Header;
import io.hexz.format.IndexPage;
import io.hexz.format.Metadata;
import io.hexz.format.SnapshotException;
import io.hexz.format.StreamDescriptor;
import io.hexz.format.StreamKind;
import io.hexz.format.XorPayload;
import io.hexz.store.ByteSource;
import java.io.EOFException;
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
 * open; index pages and blocks are read on demand through the shared {@link BlockCache}.
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
 */
final class SnapshotFile implements Snapshot {
  private static final System.Logger LOG = System.getLogger(SnapshotFile.class.getName());
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
  private Tree tree; // guarded by this; created on first use

  private SnapshotFile(ByteSource source, Header header, Metadata metadata, BlockCache cache,
      ReadOptions options, SnapshotFile parent) {
    this.source = source;
    this.name = source.name();
    this.header = header;
    this.metadata = metadata;
    this.cache = cache;
    this.options = options;
    this.parent = parent;
    this.prefetchPool = options.prefetch() && options.prefetchBytes() > 0
        ? Pools.bounded("hexz-prefetch", options.prefetchThreads(), 256) : null;
  }

  /** Reads and checks just the header of {@code source}. */
  static Header readHeader(ByteSource source) throws IOException {
    long size = source.size();
    if (size < Format.HEADER_SIZE) {
      throw new CorruptSnapshotException(source.name(), "not a hexz snapshot (file is only " + size + " bytes)");
    }
    ByteBuffer buf = ByteBuffer.allocate(Format.HEADER_SIZE);
    source.readFully(buf, 0);
    buf.flip();
    return Header.decode(source.name(), buf, size);
  }

  /**
   * Opens {@code source}; on failure the source is left open for the caller to close.
   *
   * @param parent the already opened and identity-checked parent, required for thin snapshots
   */
  static SnapshotFile open(ByteSource source, ReadOptions options, BlockCache cache, SnapshotFile parent)
      throws IOException {
    Header h = readHeader(source);
    String name = source.name();
    Metadata meta = Metadata.decode(name, readAt(source, h.metadataOffset(), h.metadataLength()),
        h.metadataCrc());
    if (h.isThin() && parent == null) {
      throw new SnapshotException(name, "is a thin snapshot; its parent must be opened first");
    }
    SnapshotFile f = new SnapshotFile(source, h, meta, cache, options, parent);
    try {
      for (StreamDescriptor d : h.streams().values()) {
        f.streams.put(d.kind(), f.new StreamReader(d));
      }
    } catch (IOException | RuntimeException e) {
      f.shutdownPools();
      throw e;
    }
    return f;
  }

  private static byte[] readAt(ByteSource source, long offset, int length) throws IOException {
    try {
      return source.readFully(offset, length);
    } catch (EOFException e) {
      throw new CorruptSnapshotException(source.name(), "truncated at offset " + offset, e);
    }
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
  public int read(ByteBuffer dst, long offset) throws IOException {
    return streams.get(StreamKind.DISK).read(dst, offset);
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
        return CompletableFuture.failedFuture(new IOException(name + " is closed"));
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

  /** Cache key of a decoded block: payloads shared by dedup share one entry. */
  private record BlockKey(long file, long offset) {}

  /** Cache key of an index page. */
  private record PageKey(long file, int stream, int level, long first) {}

  /** A decoded block and the CRC it was checked against. */
  record CachedBlock(byte[] data, int crc) implements BlockCache.Weighed {
    @Override
    public int weight() {
      return data.length;
    }
  }

  private record CachedPage(IndexPage page) implements BlockCache.Weighed {
    @Override
    public int weight() {
      return page.byteSize();
    }
  }

  /** One stream of this file as a block device. Thread-safe. */
  final class StreamReader implements BlockDevice {
    private final StreamDescriptor desc;
    private final StreamKind kind;
    private final long size;
    private final long blocks;
    private final int shift;
    private final int blockSize;
    private final IndexPage root;
    private final Prefetcher prefetcher;

    StreamReader(StreamDescriptor d) throws IOException {
      this.desc = d;
      this.kind = d.kind();
      this.size = d.size();
      this.shift = header.blockShift();
      this.blockSize = 1 << shift;
      this.blocks = Format.ceilDiv(size, blockSize);
      if (d.indexDepth() == 0) {
        this.root = null;
      } else {
        int level = d.indexDepth() - 1;
        int count = (int) Format.ceilDiv(blocks, Format.blocksPerEntry(level));
        this.root = IndexPage.unpack(name, readAt(source, d.rootOffset(), d.rootLength()), level, kind, 0,
            count, d.rootCrc());
      }
      this.prefetcher = prefetchPool == null ? null
          : new Prefetcher(prefetchPool, blocks, Math.max(2, (int) (options.prefetchBytes() >> shift)),
              this::prefetch);
    }

    StreamKind kind() {
      return kind;
    }

    long blocks() {
      return blocks;
    }

    int blockSize() {
      return blockSize;
    }

    @Override
    public long size() {
      return size;
    }

    @Override
    public int read(ByteBuffer dst, long offset) throws IOException {
      if (offset < 0) {
        throw new IllegalArgumentException("offset (" + offset + ") must be >= 0");
      }
      if (!dst.hasRemaining()) {
        return 0;
      }
      if (offset >= size) {
        return -1;
      }
      if (closed.get()) {
        throw new IOException(name + " is closed");
      }
      int total = (int) Math.min(dst.remaining(), size - offset);
      long pos = offset;
      int left = total;
      while (left > 0) {
        long b = pos >>> shift;
        int within = (int) (pos & (blockSize - 1));
        int take = Math.min(blockLength(b) - within, left);
        copyBlock(b, dst, within, take);
        pos += take;
        left -= take;
      }
      if (prefetcher != null) {
        prefetcher.onRead(offset >>> shift, (offset + total - 1) >>> shift);
      }
      return total;
    }

    /** Streams are closed with their snapshot. */
    @Override
    public void close() {}

    int blockLength(long b) {
      return b == blocks - 1 ? (int) (size - (b << shift)) : blockSize;
    }

    /** Copies {@code length} bytes of block {@code b} starting at {@code within} into dst. */
    void copyBlock(long b, ByteBuffer dst, int within, int length) throws IOException {
      IndexPage leaf = leafFor(b);
      int i = (int) (b - leaf.firstBlock());
      BlockKind k = BlockKind.fromId(leaf.kindId(i));
      if (k == null) {
        throw corrupt(b, "has unknown block kind " + leaf.kindId(i));
      }
      switch (k) {
        case ZERO:
          Zeros.fill(dst, length);
          return;
        case PARENT:
          parentReader(b).copyBlock(b, dst, within, length);
          return;
        default:
          CachedBlock cb = block(leaf, i, b, k);
          dst.put(cb.data(), within, length);
      }
    }

    private StreamReader parentReader(long b) throws IOException {
      StreamReader p = parent == null ? null : parent.reader(kind);
      if (p == null || b >= p.blocks || p.blockLength(b) != blockLength(b)) {
        throw corrupt(b, "refers to its parent, which has no such block");
      }
      return p;
    }

    /** The content of block {@code b}, decoded and checked. */
    CachedBlock block(IndexPage leaf, int i, long b, BlockKind k) throws IOException {
      long off = leaf.offset(i);
      int crc = leaf.contentCrc(i);
      BlockKey key = new BlockKey(id, off);
      CachedBlock cb;
      if (k == BlockKind.XOR) {
        // Its load reads the parent through the cache: that must not run inside the cache's own
        // compute (a nested compute of the same map can deadlock), so it is loaded outside.
        cb = cache.getIfPresent(key);
        if (cb == null) {
          cb = load(leaf, i, b, k);
          cache.put(key, cb);
        }
      } else {
        cb = cache.get(key, () -> load(leaf, i, b, k));
      }
      if (cb.crc() != crc || cb.data().length != blockLength(b)) {
        throw corrupt(b, "does not match its checksum (shared payload at offset " + off + ")");
      }
      return cb;
    }

    private CachedBlock load(IndexPage leaf, int i, long b, BlockKind k) throws IOException {
      int len = blockLength(b);
      int stored = leaf.storedLength(i);
      long off = leaf.offset(i);
      boolean okLength = k == BlockKind.RAW ? stored == len
          : k == BlockKind.XOR ? stored > XorPayload.HEADER_SIZE && stored <= len + XorPayload.HEADER_SIZE
          : stored > 0 && stored < len;
      if (!okLength) {
        throw corrupt(b, "has impossible stored length " + Integer.toUnsignedString(stored));
      }
      try {
        Header.checkRange(name, kind + " block " + b, off, stored, header.fileLength());
      } catch (CorruptSnapshotException e) {
        throw corrupt(b, "points outside the file (offset " + off + ")");
      }
      byte[] payload = readAt(source, off, stored);
      // Checked before decoding: a damaged payload never reaches the decompressor, and damage that
      // would decode to the same bytes (several encodings can) is still reported.
      int payloadCrc = Checksums.crc32c(payload, 0, stored);
      if (payloadCrc != leaf.payloadCrc(i)) {
        throw corrupt(b, String.format("payload checksum mismatch (stored %08x, computed %08x)",
            leaf.payloadCrc(i), payloadCrc));
      }
      byte[] data;
      if (k == BlockKind.RAW) {
        data = payload;
      } else if (k == BlockKind.XOR) {
        data = unXor(payload, b, len);
      } else {
        data = new byte[len];
        try {
          Codec.shared(k.codec()).decompress(payload, 0, stored, data, 0, len);
        } catch (CodecException e) {
          throw corrupt(b, "cannot be decompressed (" + e.getMessage() + ")");
        }
      }
      int actual = Checksums.crc32c(data, 0, len);
      if (actual != leaf.contentCrc(i)) {
        throw corrupt(b, String.format("checksum mismatch (stored %08x, computed %08x)", leaf.contentCrc(i), actual));
      }
      return new CachedBlock(data, actual);
    }

    /** Decodes an XOR payload: inner decode, unshuffle, XOR with the parent's bytes. */
    private byte[] unXor(byte[] payload, long b, int len) throws IOException {
      XorPayload x = XorPayload.decode(payload, len);
      if (x == null) {
        throw corrupt(b, "has a malformed XOR header");
      }
      int innerLen = payload.length - XorPayload.HEADER_SIZE;
      byte[] shuffled = new byte[len];
      if (x.inner() == BlockKind.RAW) {
        if (innerLen != len) {
          throw corrupt(b, "has a raw XOR payload of the wrong length");
        }
        System.arraycopy(payload, XorPayload.HEADER_SIZE, shuffled, 0, len);
      } else {
        try {
          Codec.shared(x.inner().codec()).decompress(payload, XorPayload.HEADER_SIZE, innerLen, shuffled, 0, len);
        } catch (CodecException e) {
          throw corrupt(b, "cannot be decompressed (" + e.getMessage() + ")");
        }
      }
      byte[] data = new byte[len];
      XorPayload.unshuffle(shuffled, data, x.xorLength(), x.elementSize());
      System.arraycopy(shuffled, x.xorLength(), data, x.xorLength(), len - x.xorLength());
      if (x.baseLength() > 0) {
        StreamReader p = parent == null ? null : parent.reader(kind);
        if (p == null || x.baseOffset() > p.size() - x.baseLength()) {
          throw corrupt(b, "XORs with parent bytes that do not exist");
        }
        byte[] base = new byte[x.baseLength()];
        ByteBuffer bb = ByteBuffer.wrap(base);
        while (bb.hasRemaining()) {
          p.read(bb, x.baseOffset() + bb.position());
        }
        for (int j = 0; j < base.length; j++) {
          data[j] ^= base[j];
        }
      }
      return data;
    }

    /** The leaf page holding block {@code b}'s entry. */
    IndexPage leafFor(long b) throws IOException {
      if (b < 0 || b >= blocks) {
        throw new IllegalArgumentException("block " + b + " outside 0.." + (blocks - 1));
      }
      IndexPage page = root;
      for (int level = desc.indexDepth() - 1; level > 0; level--) {
        long per = Format.blocksPerEntry(level);
        int i = (int) ((b - page.firstBlock()) / per);
        long childFirst = page.firstBlock() + i * per;
        int childLevel = level - 1;
        int childCount = (int) Math.min(childLevel == 0 ? Format.LEAF_FANOUT : Format.INTERNAL_FANOUT,
            Format.ceilDiv(blocks - childFirst, Format.blocksPerEntry(childLevel)));
        IndexPage parentPage = page;
        int idx = i;
        page = cache.get(new PageKey(id, kind.id(), childLevel, childFirst), () -> {
          long off = parentPage.childOffset(idx);
          int len = parentPage.childLength(idx);
          if (len < Format.PAGE_ENVELOPE_SIZE || len > IndexPage.maxStoredSize(childLevel, childCount)) {
            throw new CorruptSnapshotException(name, kind + " index page for block " + childFirst
                + " has impossible length " + Integer.toUnsignedString(len));
          }
          Header.checkRange(name, kind + " index page for block " + childFirst, off, len, header.fileLength());
          return new CachedPage(IndexPage.unpack(name, readAt(source, off, len), childLevel, kind, childFirst,
              childCount, parentPage.childCrc(idx)));
        }).page();
      }
      return page;
    }

    /**
     * Copies block {@code b}'s SHA-256 into {@code dst} and returns its CRC32C; PARENT entries
     * carry neither (so that thin indexes compress), so those come from down the chain.
     */
    int hashAndCrc(long b, byte[] dst) throws IOException {
      IndexPage leaf = leafFor(b);
      int i = (int) (b - leaf.firstBlock());
      if (leaf.kindId(i) == BlockKind.PARENT.id()) {
        return parentReader(b).hashAndCrc(b, dst);
      }
      leaf.hash(i, dst, 0);
      return leaf.contentCrc(i);
    }

    /** Loads block {@code b} into the cache if it is not there; for the prefetcher. */
    private void prefetch(long b) {
      try {
        IndexPage leaf = leafFor(b);
        int i = (int) (b - leaf.firstBlock());
        BlockKind k = BlockKind.fromId(leaf.kindId(i));
        if (k != null && k.hasPayload() && !cache.contains(new BlockKey(id, leaf.offset(i)))) {
          block(leaf, i, b, k);
        }
      } catch (IOException | RuntimeException e) {
        // The reader that reaches this block reports the error; the prefetcher only logs it.
        LOG.log(System.Logger.Level.DEBUG, "prefetch of {0} block {1} failed: {2}", kind, b, e.getMessage());
      }
    }

    private CorruptSnapshotException corrupt(long b, String what) {
      LOG.log(System.Logger.Level.WARNING, "{0}: {1} block {2} {3}", name, kind, b, what);
      return new CorruptSnapshotException(name, kind + " block " + b + " " + what);
    }
  }

}
