package io.hexz.read;

import io.hexz.crypto.SnapshotCipher;
import io.hexz.format.BlockKind;
import io.hexz.format.CorruptSnapshotException;
import io.hexz.format.Format;
import io.hexz.format.Header;
import io.hexz.format.IndexPage;
import io.hexz.format.StreamDescriptor;
import io.hexz.format.StreamKind;
import io.hexz.store.ByteSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.function.BooleanSupplier;

/**
 * One stream of a snapshot file as a block device: finds each block's entry through the stream's
 * {@link StreamIndex} and serves the block as the entry says: ZERO as zeros (its recorded CRC must
 * be that of a zero block), PARENT from the parent's same stream, any other from the
 * {@link BlockCache}, decoded by the {@link PayloadDecoder} on a miss. Sequential reads queue
 * readahead on the file's prefetch pool ({@link Prefetcher}).
 *
 * <p>Cached blocks: the cache is keyed by payload offset, so blocks that dedup made share one
 * entry; each hit is checked against the asking entry's CRC32C and length, and, when hashes are
 * checked, its SHA-256. The signature covers each block's kind, length and SHA-256, not where its
 * payload lies: a cached block carries the SHA-256 it was checked against when loaded, and a hit
 * must carry the asking entry's. Otherwise an entry edited to name another block's payload and
 * CRCs (an unsigned parent's, or one forged past its CRCs) would be served that block's bytes once
 * they were cached. Offsets, stored lengths and CRCs then only decide whether a read succeeds,
 * never what it returns.
 *
 * <p>Concurrency: thread-safe. The fields are final but for the prefetch plan (volatile, set
 * once); the cache and the prefetcher are thread-safe.
 */
final class StreamReader extends AbstractBlockDevice {
  /**
   * What every stream of one file reads through, fixed at open: the file (its id in cache keys,
   * its source, header and cipher, null unless encrypted), the cache all layers share, whether
   * blocks are hash-checked and the file's leaf pins (null unless they are), whether the file is
   * closed, and where prefetches run (null: no prefetching).
   */
  record Layer(long id, ByteSource source, Header header, SnapshotCipher cipher, BlockCache cache,
      HashCheck hashCheck, LeafPins pins, BooleanSupplier closed, ExecutorService prefetchPool, long prefetchBytes) {}

  private static final System.Logger LOG = System.getLogger(StreamReader.class.getName());

  private final long id;
  private final BlockCache cache;
  private final HashCheck hashCheck;
  private final BooleanSupplier closed;
  private final StreamReader parentStream; // null without a parent
  private final StreamKind kind;
  private final long size;
  private final long blocks;
  private final int shift;
  private final int blockSize;
  private final StreamIndex index;
  private final Prefetcher prefetcher;
  /**
   * The prefetch plan's blocks of this stream, sorted, or null: reads the plan predicted start no
   * sequential readahead (the plan loads what they need; readahead past them over-fetches, 2.6x
   * the bytes of a boot over HTTP). Set once by {@link PlanPrefetch}.
   */
  private volatile long[] planned;
  /** CRC32C of a zero block of full length and of the last block's length. */
  private final int zeroCrc;
  private final int lastZeroCrc;
  private final PayloadDecoder decoder;

  /**
   * Stream {@code d} of {@code layer}; reads and checks its root index page.
   *
   * @param parentStream the same stream of the layer's parent, or null (a full snapshot, or a
   *     parent without this stream)
   */
  StreamReader(Layer layer, StreamDescriptor d, StreamReader parentStream) throws IOException {
    super(layer.source().name());
    this.id = layer.id();
    this.cache = layer.cache();
    this.hashCheck = layer.hashCheck();
    this.closed = layer.closed();
    this.parentStream = parentStream;
    this.kind = d.kind();
    this.size = d.size();
    this.shift = layer.header().blockShift();
    this.blockSize = 1 << shift;
    this.blocks = Format.ceilDiv(size, blockSize);
    this.zeroCrc = Zeros.crc32c(blockSize);
    this.lastZeroCrc = blocks == 0 ? zeroCrc : Zeros.crc32c(blockLength(blocks - 1));
    this.index = new StreamIndex(layer, d, blocks);
    Header h = layer.header();
    this.decoder = new PayloadDecoder(layer.source(), kind, h.tagSize(), h.fileLength(), layer.cipher(), cache,
        hashCheck, parentStream);
    this.prefetcher = layer.prefetchPool() == null ? null
        : new Prefetcher(layer.prefetchPool(), blocks, Math.max(2, (int) (layer.prefetchBytes() >> shift)),
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
  protected int readChecked(ByteBuffer dst, long offset) throws IOException {
    return transferChecked(offset, (int) Math.min(dst.remaining(), size - offset), null, new BufferSink(dst));
  }

  /** The snapshot's: its streams are closed with it. */
  @Override
  protected boolean isClosed() {
    return closed.getAsBoolean();
  }

  /** Streams are closed with their snapshot. */
  @Override
  public void close() {}

  int blockLength(long b) {
    return b == blocks - 1 ? (int) (size - (b << shift)) : blockSize;
  }

  /** Copies {@code length} bytes of block {@code b} starting at {@code within} into dst. */
  void copyBlock(long b, ByteBuffer dst, int within, int length) throws IOException {
    transferBlock(b, within, length, new BufferSink(dst));
  }

  @Override
  protected int transferChecked(long offset, int total, byte[] scratch, BlockDevice.Sink sink) throws IOException {
    long pos = offset;
    int left = total;
    while (left > 0) {
      long b = pos >>> shift;
      int within = (int) (pos & (blockSize - 1));
      int take = Math.min(blockLength(b) - within, left);
      transferBlock(b, within, take, sink);
      pos += take;
      left -= take;
    }
    long lastBlock = (offset + total - 1) >>> shift;
    if (prefetcher != null && !planned(lastBlock)) {
      prefetcher.onRead(offset >>> shift, lastBlock);
    }
    return total;
  }

  @Override
  protected Extent extentAtChecked(long offset, long length) throws IOException {
    long end = offset + length;
    long b = offset >>> shift;
    boolean zero = isZeroBlock(b);
    long pos = Math.min(end, (b + 1) << shift);
    while (pos < end && isZeroBlock(pos >>> shift) == zero) {
      pos = Math.min(end, ((pos >>> shift) + 1) << shift);
    }
    return new Extent(pos - offset, zero);
  }

  /** Whether block {@code b} is stored as a zero block (in this layer or, for PARENT, below). */
  private boolean isZeroBlock(long b) throws IOException {
    IndexPage leaf = leafFor(b);
    BlockKind k = BlockKind.fromId(leaf.kindId((int) (b - leaf.firstBlock())));
    if (k == null) {
      throw corrupt(b, "has unknown block kind " + leaf.kindId((int) (b - leaf.firstBlock())));
    }
    if (k == BlockKind.ZERO) {
      checkZeroEntry(leaf, (int) (b - leaf.firstBlock()), b);
      return true;
    }
    return k == BlockKind.PARENT && parentReader(b).isZeroBlock(b);
  }

  /**
   * A ZERO entry records the CRC32C of a zero block like any other entry; checking it costs
   * nothing and keeps a damaged kind byte from turning a stored block into zeros.
   */
  private void checkZeroEntry(IndexPage leaf, int i, long b) throws IOException {
    if (leaf.contentCrc(i) != (b == blocks - 1 ? lastZeroCrc : zeroCrc)) {
      throw corrupt(b, "is marked as zeros but its checksum is not that of a zero block");
    }
  }

  /** Hands {@code length} bytes of block {@code b} starting at {@code within} to the sink. */
  void transferBlock(long b, int within, int length, BlockDevice.Sink sink) throws IOException {
    IndexPage leaf = leafFor(b);
    int i = (int) (b - leaf.firstBlock());
    BlockKind k = BlockKind.fromId(leaf.kindId(i));
    if (k == null) {
      throw corrupt(b, "has unknown block kind " + leaf.kindId(i));
    }
    switch (k) {
      case ZERO:
        checkZeroEntry(leaf, i, b);
        sink.zeros(length);
        return;
      case PARENT:
        parentReader(b).transferBlock(b, within, length, sink);
        return;
      default:
        CachedBlock cb = block(leaf, i, b, k);
        try {
          sink.bytes(cb.data(), within, length);
        } finally {
          cb.release();
        }
    }
  }

  private StreamReader parentReader(long b) throws IOException {
    StreamReader p = parentStream;
    if (p == null || b >= p.blocks || p.blockLength(b) != blockLength(b)) {
      throw corrupt(b, "refers to its parent, which has no such block");
    }
    return p;
  }

  /** The content of block {@code b}, decoded and checked; the caller must release it. */
  CachedBlock block(IndexPage leaf, int i, long b, BlockKind k) throws IOException {
    long off = leaf.offset(i);
    int crc = leaf.contentCrc(i);
    BlockKey key = new BlockKey(id, off);
    CachedBlock cb;
    if (k == BlockKind.XOR) {
      // Its load reads the parent through the cache: that must not run inside the cache's own
      // compute (a nested compute of the same map can deadlock), so it is loaded outside.
      cb = cache.acquireIfPresent(key);
      if (cb == null) {
        cb = cache.insert(key, decoder.decode(leaf, i, b, k, blockLength(b)));
      }
    } else {
      cb = cache.acquire(key, () -> decoder.decode(leaf, i, b, k, blockLength(b)));
    }
    if (cb.crc() != crc || cb.data().length != blockLength(b)) {
      cb.release();
      throw corrupt(b, "does not match its checksum (shared payload at offset " + off + ")");
    }
    // A cache hit is checked against the hash this entry records, as a load is: the key is only
    // the payload offset, which the signature does not cover, so an edited entry could
    // otherwise name another block's cached bytes together with that block's CRC.
    if (hashCheck != HashCheck.OFF && !leaf.hashEquals(i, cb.sha256())) {
      cb.release();
      throw corrupt(b, "does not match its " + hashCheck.word() + " SHA-256 (payload at offset " + off
          + " holds another block's content)");
    }
    return cb;
  }

  /** The leaf page holding block {@code b}'s entry. */
  IndexPage leafFor(long b) throws IOException {
    return index.leafFor(b);
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

  /** Marks {@code blocks} (sorted) as the plan's: reads of them start no sequential readahead. */
  void plan(long[] blocks) {
    planned = blocks;
  }

  private boolean planned(long b) {
    long[] p = planned;
    return p != null && Arrays.binarySearch(p, b) >= 0;
  }

  /** Loads block {@code b} into the cache if it is not there (through the parent for PARENT); for the prefetchers. */
  void prefetch(long b) {
    try {
      IndexPage leaf = leafFor(b);
      int i = (int) (b - leaf.firstBlock());
      BlockKind k = BlockKind.fromId(leaf.kindId(i));
      if (k == BlockKind.PARENT) {
        parentReader(b).prefetch(b);
      } else if (k != null && k.hasPayload() && !cache.contains(new BlockKey(id, leaf.offset(i)))) {
        block(leaf, i, b, k).release();
      }
    } catch (IOException | RuntimeException e) {
      // The reader that reaches this block reports the error; the prefetcher only logs it.
      LOG.log(System.Logger.Level.DEBUG, "prefetch of {0} block {1} failed: {2}", kind, b, e.getMessage());
    }
  }

  private CorruptSnapshotException corrupt(long b, String what) {
    return decoder.corrupt(b, what);
  }

  /** Cache key of a decoded block: payloads shared by dedup share one entry. */
  private record BlockKey(long file, long offset) {}

  /** A sink that appends to a buffer. */
  private record BufferSink(ByteBuffer dst) implements BlockDevice.Sink {
    @Override
    public void bytes(byte[] src, int offset, int length) {
      dst.put(src, offset, length);
    }

    @Override
    public void zeros(int length) {
      Zeros.fill(dst, length);
    }
  }
}
