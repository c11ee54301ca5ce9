package io.hexz.write;

import io.hexz.codec.Codec;
import io.hexz.codec.CodecException;
import io.hexz.codec.CodecType;
import io.hexz.crypto.Crypto;
import io.hexz.crypto.SnapshotCipher;
import io.hexz.format.BlockKind;
import io.hexz.format.EncryptionInfo;
import io.hexz.format.SignatureInfo;
import io.hexz.format.Checksums;
import io.hexz.format.Format;
import io.hexz.format.Header;
import io.hexz.format.Identity;
import io.hexz.format.IndexPage;
import io.hexz.format.Metadata;
import io.hexz.format.StreamDescriptor;
import io.hexz.format.StreamKind;
import io.hexz.format.XorPayload;
import io.hexz.read.Pools;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Writes a snapshot file: blocks are cut from the input on the caller's thread, compressed and
 * hashed on a pool of {@code threads} named workers, and committed (dedup, payload append, index
 * entry) on the caller's thread strictly in block order. Because commit order and codecs are
 * deterministic, the output is byte-identical whatever the thread count.
 *
 * <p>Memory is bounded: at most {@code 2 * threads + 1} blocks are in flight (each with its
 * input and output buffer), one leaf index page is open per stream, and the dedup table is
 * capped; a 2 GiB and a 200 GiB input build in the same heap. Leaf pages are written inline as
 * they fill, so only one 16-byte pointer per 1024 blocks is kept until the stream ends.
 *
 * <p>Atomicity: everything goes to a temporary file beside the destination; the header, which
 * makes a file a snapshot, is written last, then the file is forced and renamed into place.
 * Every write and writeback error fails the writer for good (the background fsync's result is
 * read, since the kernel reports a writeback error only once), so a file with lost pages is never
 * renamed over an older good one.
 *
 * <p>Concurrency: not thread-safe; one thread drives a writer.
 */
final class SnapshotWriterImpl implements SnapshotWriter {
  private final Path target;
  private final Path temp;
  private final FileChannel out;
  private final WriteOptions options;
  private final int blockSize;
  private final Codec codec;
  private final ExecutorService pool;
  private final int window;
  private final ArrayDeque<Future<Job>> inflight = new ArrayDeque<>();
  private final ArrayDeque<Job> free = new ArrayDeque<>();
  private final DedupTable dedup;
  private final Map<StreamKind, StreamDescriptor> streams = new EnumMap<>(StreamKind.class);
  private final List<Identity.StreamPart> identityParts = new ArrayList<>();
  private final Map<String, String> userMeta = new LinkedHashMap<>();
  private io.hexz.format.PrefetchPlan plan;
  private final ThreadLocal<MessageDigest> sha = ThreadLocal.withInitial(Checksums::sha256);
  private final Map<Integer, byte[]> zeroHashes = new java.util.HashMap<>();
  private final Map<Integer, Integer> zeroCrcs = new java.util.HashMap<>();
  private final byte[] verifyScratch;
  private long pos = Format.HEADER_SIZE;
  /** Bytes between background writebacks of the output. */
  static final long FLUSH_EVERY = 64L << 20;
  private final long flushEvery;
  private final ExecutorService flusher = Executors.newSingleThreadExecutor(Pools.named("hexz-writeback"));
  private Future<?> pendingFlush;
  /**
   * The first write or writeback error. Sticky: Linux reports a writeback error once per open
   * file, so after the background fsync has seen it the final one succeeds; the file must then
   * never be renamed into place.
   */
  private IOException failure;
  private long flushedTo;
  private long consumed;
  private Sink current;
  private boolean finished;
  private boolean closed;
  private final WriteStats stats = new WriteStats();
  private final io.hexz.read.Snapshot parent; // thin: the parent snapshot (and its chain), else null
  private final io.hexz.read.ParentIndex parentIndex;
  private final byte[] parentScratch = new byte[Format.HASH_SIZE];
  private final String parentHint;
  private final SnapshotCipher cipher; // null unless encrypting
  private final byte[] salt;

  /** Opens the temporary output file; tests substitute one that injects I/O errors. */
  interface OutputOpener {
    FileChannel open(Path temp) throws IOException;
  }

  SnapshotWriterImpl(Path target, WriteOptions options) throws IOException {
    this(target, options, t -> FileChannel.open(t, StandardOpenOption.WRITE, StandardOpenOption.READ), FLUSH_EVERY);
  }

  SnapshotWriterImpl(Path target, WriteOptions options, OutputOpener opener, long flushEvery) throws IOException {
    this.target = target.toAbsolutePath();
    this.flushEvery = flushEvery;
    this.options = options;
    this.blockSize = options.blockSize();
    int bs = blockSize;
    this.xorScratch = ThreadLocal.withInitial(() -> new byte[][] {new byte[bs], new byte[bs]});
    if (options.parent() != null) {
      Path pp = options.parent().toAbsolutePath().normalize();
      if (pp.equals(this.target.normalize())) {
        throw new IllegalArgumentException(target + ": a snapshot cannot be its own parent");
      }
      this.parent = io.hexz.read.Snapshots.open(pp, options.parentReadOptions());
      this.parentIndex = io.hexz.read.ParentIndex.of(parent);
      this.parentHint = this.target.getParent().relativize(pp).toString();
      if (parentIndex.blockSize() != blockSize) {
        parent.close();
        throw new IllegalArgumentException("block size " + blockSize + " differs from the parent's ("
            + parentIndex.blockSize() + "): a thin snapshot uses its parent's block size");
      }
      java.util.Optional<io.hexz.read.Snapshot> sealed = io.hexz.read.Snapshots.encryptedLayer(parent);
      if (sealed.isPresent() && options.password() == null) {
        // Every unchanged block would be read back from the encrypted layer, and a block that
        // differs only slightly would be stored next to it in clear: the chain must stay sealed.
        String layer = sealed.get().name();
        parent.close();
        throw new IllegalArgumentException(target + ": its parent chain holds the encrypted snapshot " + layer
            + ", so it must be encrypted too");
      }
    } else {
      this.parent = null;
      this.parentIndex = null;
      this.parentHint = "";
    }
    SnapshotCipher c = null;
    Path t = null;
    try {
      this.codec = options.codec() == CodecType.NONE ? null : Codec.of(options.codec(), options.level());
      if (options.password() != null) {
        // A fresh salt per snapshot gives a fresh key: no (key, nonce) pair of another file can
        // recur here, and a payload spliced in from another snapshot fails its tag.
        this.salt = Crypto.newSalt();
        c = Crypto.derive(options.password(), options.kdf(), salt);
      } else {
        this.salt = null;
      }
      this.cipher = c;
      Path dir = this.target.getParent();
      t = Files.createTempFile(dir, "." + this.target.getFileName() + ".", ".hexz-tmp");
      this.temp = t;
      // createTempFile makes the file owner-only: it stays so while written, and gets its mode
      // (FileModes) just before it is renamed into place.
      this.out = opener.open(temp);
    } catch (IOException | RuntimeException | Error e) {
      // A writer that could not start leaves nothing behind: no temporary file, no open parent.
      abandon(e, t, c, parent);
      throw e;
    }
    this.pool = Executors.newFixedThreadPool(options.threads(), Pools.named("hexz-compress"));
    this.window = options.threads() * 2;
    this.dedup = options.dedup() ? new DedupTable(options.dedupCapacity()) : null;
    this.verifyScratch = new byte[blockSize];
    userMeta.putAll(options.metadata());
    for (int i = 0; i <= window; i++) {
      free.add(new Job());
    }
    zeroFacts(blockSize);
  }

  /** Releases what a failed constructor had made; later failures are added to {@code e}. */
  private static void abandon(Throwable e, Path temp, SnapshotCipher cipher, io.hexz.read.Snapshot parent) {
    if (cipher != null) {
      cipher.close();
    }
    try {
      if (temp != null) {
        Files.deleteIfExists(temp);
      }
      if (parent != null) {
        parent.close();
      }
    } catch (IOException | RuntimeException x) {
      e.addSuppressed(x);
    }
  }

  /** Counters of what the writer did; read after finish. */
  WriteStats stats() {
    return stats;
  }

  @Override
  public StreamSink beginStream(StreamKind kind) throws IOException {
    ensureOpen();
    if (current != null) {
      throw new IllegalStateException("stream " + current.kind + " is still open");
    }
    if (streams.containsKey(kind)) {
      throw new IllegalStateException("stream " + kind + " was already written");
    }
    current = new Sink(kind);
    return current;
  }

  @Override
  public void putMetadata(String key, String value) {
    userMeta.put(key, value);
  }

  @Override
  public void prefetchPlan(io.hexz.format.PrefetchPlan plan) {
    this.plan = plan;
  }

  @Override
  public Path finish() throws IOException {
    ensureOpen();
    if (failure != null) {
      close();
      throw new IOException(failure.getMessage(), failure);
    }
    if (current != null) {
      throw new IllegalStateException("stream " + current.kind + " is still open");
    }
    if (!streams.containsKey(StreamKind.DISK)) {
      throw new IllegalStateException("a snapshot needs a disk stream");
    }
    try {
      Instant created = options.created() != null ? options.created() : Instant.now();
      byte[] meta = new Metadata(created, options.source(), "hexz " + Version.VERSION, userMeta,
          plan == null ? null : plan.encode()).encode();
      long metaOffset = pos;
      if (cipher != null) {
        meta = cipher.seal(SnapshotCipher.Domain.METADATA, metaOffset, meta, 0, meta.length);
      }
      writeFully(ByteBuffer.wrap(meta));
      awaitWriteback();
      byte[] identity = Identity.compute(blockSize, identityParts);
      // A manifest stream is what makes a directory snapshot: the flag follows it (flatten keeps it too).
      int incompat = (parent == null ? 0 : Format.INCOMPAT_THIN) | (cipher == null ? 0 : Format.INCOMPAT_ENCRYPTED)
          | (streams.containsKey(StreamKind.MANIFEST) ? Format.INCOMPAT_TREE : 0);
      EncryptionInfo enc = cipher == null ? null : new EncryptionInfo(options.kdf().memoryKiB(),
          options.kdf().iterations(), options.kdf().parallelism(), salt, new byte[EncryptionInfo.KEY_CHECK_SIZE]);
      Header h = new Header(Format.VERSION_MAJOR, Format.VERSION_MINOR, incompat, 0,
          Integer.numberOfTrailingZeros(blockSize), options.codec(), Math.max(0, options.level()), pos, metaOffset,
          meta.length, Checksums.crc32c(meta, 0, meta.length), cipher == null ? identity : cipher.opaqueIdentity(identity),
          parent == null ? new byte[Format.HASH_SIZE] : parentIndex.identity(), parentHint, streams, enc, null);
      if (cipher != null) {
        // The key check seals the content identity with every clear header field as AAD: opening
        // it proves the password and authenticates the header in one step.
        byte[] check = cipher.seal(SnapshotCipher.Domain.HEADER, 0, identity, 0, identity.length,
            SignatureInfo.keyCheckBytes(h.encode().array()));
        h = h.withEncryption(new EncryptionInfo(enc.memoryKiB(), enc.iterations(), enc.parallelism(), salt, check));
      }
      ByteBuffer hb = h.encode();
      try {
        while (hb.hasRemaining()) {
          out.write(hb, hb.position());
        }
        out.force(true);
        out.close(); // close reports a deferred write error on some file systems (NFS)
      } catch (IOException e) {
        throw failed(e);
      }
      FileModes.apply(temp, options.maxPermissions());
      replace(temp, target);
      finished = true;
      stats.fileBytes = h.fileLength();
      stats.identity = identity;
      return target;
    } finally {
      close();
    }
  }

  /** Renames {@code temp} over {@code target} (atomically where the file system can) and syncs the directory. */
  static void replace(Path temp, Path target) throws IOException {
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
    }
    syncDirectory(target.getParent());
  }

  private static void syncDirectory(Path dir) {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException ignored) {
      // Some file systems cannot fsync a directory; the rename itself is still atomic.
    }
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    pool.shutdownNow();
    flusher.shutdown();
    try {
      // out.close() below must not race a force() still running on the flusher.
      flusher.awaitTermination(60, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (parent != null) {
      parent.close();
    }
    if (cipher != null) {
      cipher.close();
    }
    for (Future<Job> f : inflight) {
      f.cancel(false);
    }
    inflight.clear();
    try {
      out.close();
    } finally {
      if (!finished) {
        Files.deleteIfExists(temp);
      }
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("writer for " + target + " is closed");
    }
  }

  private void writeFully(ByteBuffer b) throws IOException {
    if (failure != null) {
      throw new IOException(failure.getMessage(), failure);
    }
    try {
      while (b.hasRemaining()) {
        pos += out.write(b, pos);
      }
    } catch (IOException e) {
      throw failed(e);
    }
    if (pendingFlush != null && pendingFlush.isDone()) {
      awaitWriteback();
    }
    if (pos - flushedTo >= flushEvery && pendingFlush == null) {
      // Write back while compressing: otherwise the final fsync has the whole file to flush
      // (Linux starts background writeback only at 10% of RAM dirty) and the build waits on it.
      flushedTo = pos;
      pendingFlush = flusher.submit(() -> {
        out.force(false);
        return null;
      });
    }
  }

  /** Waits for the background writeback in progress, if any, and fails the writer if it failed. */
  private void awaitWriteback() throws IOException {
    Future<?> f = pendingFlush;
    pendingFlush = null;
    if (f != null) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while writing back " + temp);
      } catch (ExecutionException e) {
        Throwable c = e.getCause();
        throw failed(c instanceof IOException ? (IOException) c : new IOException(String.valueOf(c), c));
      }
    }
    if (failure != null) {
      throw new IOException(failure.getMessage(), failure);
    }
  }

  /** Records the first I/O error on the output (see {@link #failure}); returns it, naming the file. */
  private IOException failed(IOException e) {
    if (failure == null) {
      failure = new IOException(target + ": writing " + temp.getFileName() + " failed, nothing was replaced: "
          + e.getMessage(), e);
    }
    return failure;
  }

  private void zeroFacts(int len) {
    byte[] z = new byte[len];
    zeroHashes.put(len, sha.get().digest(z));
    zeroCrcs.put(len, Checksums.crc32c(z, 0, len));
  }

  /** A block on its way through the pipeline, with its reusable buffers. */
  private final class Job {
    final byte[] data = new byte[blockSize];
    byte[] packed = new byte[codec == null ? 0 : codec.maxCompressedLength(blockSize)];

    /** Worker side of an XOR block: XOR with the base, shuffle, compress behind a header. */
    private Job computeXor() {
      byte[][] s = xorScratch.get();
      byte[] x = s[0];
      byte[] shuffled = s[1];
      System.arraycopy(data, 0, x, 0, length);
      for (int i = 0; i < xor.baseLength(); i++) {
        x[i] ^= base[i];
      }
      XorPayload.shuffle(x, shuffled, xor.xorLength(), xor.elementSize());
      System.arraycopy(x, xor.xorLength(), shuffled, xor.xorLength(), length - xor.xorLength());
      if (packed.length < xorPackedSize()) {
        packed = new byte[xorPackedSize()];
      }
      BlockKind inner = BlockKind.RAW;
      int n = codec == null ? -1
          : codec.compress(shuffled, 0, length, packed, XorPayload.HEADER_SIZE, Math.min(length, packed.length
              - XorPayload.HEADER_SIZE));
      if (n > 0) {
        inner = BlockKind.of(codec.type());
      } else {
        System.arraycopy(shuffled, 0, packed, XorPayload.HEADER_SIZE, length);
        n = length;
      }
      new XorPayload(xor.baseOffset(), xor.xorLength(), xor.baseLength(), xor.elementSize(), inner).encode(packed);
      kind = BlockKind.XOR;
      packedLength = XorPayload.HEADER_SIZE + n;
      return this;
    }

    final byte[] hash = new byte[Format.HASH_SIZE];
    int length;
    int packedLength;
    BlockKind kind;
    int crc;
    /** XOR delta: the parent's bytes to XOR with (null for ordinary blocks) and the transform's shape. */
    byte[] base;
    XorPayload xor;

    /** Runs on a worker: zero detection, checksums, compression. */
    Job compute() {
      if (Checksums.isZero(data, 0, length)) {
        kind = BlockKind.ZERO;
        return this;
      }
      crc = Checksums.crc32c(data, 0, length);
      MessageDigest d = sha.get();
      d.update(data, 0, length);
      try {
        d.digest(hash, 0, Format.HASH_SIZE);
      } catch (java.security.DigestException e) {
        throw new IllegalStateException(e);
      }
      if (xor != null) {
        return computeXor();
      }
      kind = BlockKind.RAW;
      if (codec != null) {
        int n = codec.compress(data, 0, length, packed, 0, Math.min(packed.length, length));
        if (n > 0) {
          kind = BlockKind.of(codec.type());
          packedLength = n;
        }
      }
      return this;
    }
  }

  /** Scratch for the XOR transform, per compression thread. */
  private final ThreadLocal<byte[][]> xorScratch;
  /** PARENT entries carry no CRC or hash (the parent's index has them): identical entries compress away. */
  private static final byte[] NO_HASH = new byte[Format.HASH_SIZE];

  /** Sized so that an XOR payload (header + worst-case inner) always fits. */
  private int xorPackedSize() {
    return XorPayload.HEADER_SIZE + Math.max(blockSize, codec == null ? 0 : codec.maxCompressedLength(blockSize));
  }

  /** A payload already in the file: what a leaf entry that uses it records. */
  private record Placed(BlockKind kind, int len, long at, int payloadCrc, byte[] hash) {}

  /** The open stream: cuts input into blocks and commits them. */
  private final class Sink implements StreamSink {
    /** Blocks stored ahead of their turn ({@link #placeFirst}), by block number. */
    final Map<Long, Placed> placed = new java.util.HashMap<>();
    final StreamKind kind;
    final Identity.StreamHasher hasher = new Identity.StreamHasher();
    final List<long[]> leafPointers = new ArrayList<>(); // {offset, length, crc}
    final long streamStart = pos;
    IndexPage.Builder leaf;
    Job filling;
    long blocks;
    long blocksSubmitted;
    long size;
    long storedBytes;
    boolean ended;

    Sink(StreamKind kind) {
      this.kind = kind;
    }

    @Override
    public void write(ByteBuffer src) throws IOException {
      checkOpen();
      while (src.hasRemaining()) {
        Job j = filling();
        int n = Math.min(src.remaining(), blockSize - j.length);
        src.get(j.data, j.length, n);
        j.length += n;
        size += n;
        if (j.length == blockSize) {
          submit();
        }
      }
    }

    @Override
    public void alignToBlock() throws IOException {
      checkOpen();
      if (filling != null && filling.length > 0) {
        write(ByteBuffer.allocate(blockSize - filling.length));
      }
    }

    @Override
    public void writeXorDelta(byte[] data, long baseOffset, long baseLength, int elementSize) throws IOException {
      checkOpen();
      if (parentIndex == null) {
        throw new IllegalStateException("an XOR delta needs a parent (WriteOptions.parent)");
      }
      if (elementSize != 1 && elementSize != 2 && elementSize != 4 && elementSize != 8) {
        throw new IllegalArgumentException("elementSize (" + elementSize + ") must be 1, 2, 4 or 8");
      }
      io.hexz.read.BlockDevice p = parent.stream(kind).orElseThrow(
          () -> new IllegalArgumentException("the parent has no " + kind + " stream"));
      if (baseOffset < 0 || baseLength < 0 || baseOffset > p.size() - baseLength) {
        throw new IllegalArgumentException("base range [" + baseOffset + ", +" + baseLength
            + ") lies outside the parent's " + kind + " stream (" + p.size() + " bytes)");
      }
      if (filling != null && filling.length > 0) {
        throw new IllegalStateException("an XOR delta must start on a block boundary (offset " + size
            + " is not a multiple of " + blockSize + "); call alignToBlock() first");
      }
      int pos = 0;
      while (pos < data.length) {
        Job j = filling();
        int n = Math.min(blockSize, data.length - pos);
        System.arraycopy(data, pos, j.data, 0, n);
        j.length = n;
        int baseN = (int) Math.max(0, Math.min(n, baseLength - pos));
        if (j.base == null) {
          j.base = new byte[blockSize];
        }
        ByteBuffer bb = ByteBuffer.wrap(j.base, 0, baseN);
        while (bb.hasRemaining()) {
          p.read(bb, baseOffset + pos + bb.position());
        }
        j.xor = new XorPayload(baseOffset + pos, n, baseN, elementSize, BlockKind.RAW);
        size += n;
        pos += n;
        if (n == blockSize) {
          submit();
        }
        // A short last block stays open: later writes fill it, the XOR covers only its first n bytes.
      }
    }

    @Override
    public void writeXorDeltaFromBuffers(byte[] data, byte[] baseData, int elementSize) throws IOException {
      io.hexz.read.BlockDevice p = parent == null ? null : parent.stream(kind).orElse(null);
      long at = size;
      if (p != null && baseData.length <= p.size() - Math.min(at, p.size())) {
        // The caller vouches that baseData is the parent's content here; check it, since the
        // reader will XOR with the parent's real bytes.
        byte[] actual = new byte[baseData.length];
        ByteBuffer bb = ByteBuffer.wrap(actual);
        while (bb.hasRemaining()) {
          p.read(bb, at + bb.position());
        }
        if (!java.util.Arrays.equals(actual, baseData)) {
          throw new IllegalArgumentException("baseData differs from the parent's " + kind + " bytes at offset " + at);
        }
      } else if (p != null) {
        throw new IllegalArgumentException("baseData runs past the end of the parent's " + kind + " stream");
      }
      writeXorDelta(data, at, baseData.length, elementSize);
    }

    @Override
    public void copyParentBlocks(long count) throws IOException {
      checkOpen();
      if (parentIndex == null) {
        throw new IllegalStateException("copyParentBlocks needs a parent (WriteOptions.parent)");
      }
      if (count == 0) {
        return; // nothing to reference, wherever we are (a thin commit ends so after a short last block)
      }
      if (filling != null && filling.length > 0) {
        throw new IllegalStateException("copyParentBlocks at offset " + size + ", which is not block-aligned");
      }
      for (long i = 0; i < count; i++) {
        long b = blocksSubmitted;
        if (b >= parentIndex.blocks(kind)) {
          throw new IllegalArgumentException("the parent's " + kind + " stream has no block " + b);
        }
        Job j = filling();
        filling = null;
        j.kind = BlockKind.PARENT;
        j.length = parentIndex.blockLength(kind, b);
        if (j.length != blockSize && b != parentIndex.blocks(kind) - 1) {
          throw new IllegalStateException("short parent block " + b + " in the middle of a stream");
        }
        size += j.length;
        if (inflight.size() >= window) {
          commitOldest();
        }
        inflight.add(java.util.concurrent.CompletableFuture.completedFuture(j));
        blocksSubmitted++;
        consumed += j.length;
        options.progress().accept(consumed);
      }
    }

    @Override
    public void writeFrom(ReadableByteChannel in) throws IOException {
      checkOpen();
      while (true) {
        Job j = filling();
        ByteBuffer b = ByteBuffer.wrap(j.data, j.length, blockSize - j.length);
        int n = in.read(b);
        if (n < 0) {
          return;
        }
        j.length += n;
        size += n;
        if (j.length == blockSize) {
          submit();
        }
      }
    }

    private void checkOpen() {
      ensureOpen();
      if (ended) {
        throw new IllegalStateException("stream " + kind + " is closed");
      }
    }

    private Job filling() throws IOException {
      if (filling == null) {
        filling = takeFree();
        filling.length = 0;
        filling.xor = null;
      }
      return filling;
    }

    private Job takeFree() throws IOException {
      while (free.isEmpty()) {
        commitOldest();
      }
      return free.poll();
    }

    private void submit() throws IOException {
      Job j = filling;
      filling = null;
      if (inflight.size() >= window) {
        commitOldest();
      }
      inflight.add(pool.submit(j::compute));
      blocksSubmitted++;
      consumed += j.length;
      options.progress().accept(consumed);
    }

    private void commitOldest() throws IOException {
      Future<Job> f = inflight.poll();
      if (f == null) {
        throw new IllegalStateException("pipeline empty with no free buffers");
      }
      Job j;
      try {
        j = f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while compressing " + target);
      } catch (ExecutionException e) {
        Throwable c = e.getCause();
        if (c instanceof UncheckedIOException) {
          throw ((UncheckedIOException) c).getCause();
        }
        throw new IOException("compression failed: " + c, c);
      }
      // The job belongs to the sink it was submitted from: only one sink is open at a time.
      current.commit(j);
      free.add(j);
    }

    /** Writer thread, in block order: dedup, payload append, index entry. */
    void commit(Job j) throws IOException {
      long b = blocks++;
      if (leaf == null) {
        leaf = new IndexPage.Builder(0, kind, b);
      }
      if (j.kind == BlockKind.PARENT) {
        parentIndex.hashAndCrc(kind, b, j.hash);
        hasher.block(j.hash, 0);
        leaf.addLeaf(BlockKind.PARENT, 0, 0, 0, 0, NO_HASH);
        stats.parentBlocks++;
      } else if (j.kind == BlockKind.ZERO) {
        if (!zeroHashes.containsKey(j.length)) {
          zeroFacts(j.length);
        }
        hasher.block(zeroHashes.get(j.length), 0);
        leaf.addLeaf(BlockKind.ZERO, 0, 0, zeroCrcs.get(j.length), 0, zeroHashes.get(j.length));
        stats.zeroBlocks++;
      } else {
        hasher.block(j.hash, 0);
        if (parentIndex != null && parentIndex.sameBlock(kind, b, j.length, j.hash, parentScratch)) {
          leaf.addLeaf(BlockKind.PARENT, 0, 0, 0, 0, NO_HASH);
          stats.parentBlocks++;
          if (leaf.isFull()) {
            flushLeaf();
          }
          return;
        }
        long key = ByteBuffer.wrap(j.hash).getLong();
        // XOR payloads mean "content XOR parent bytes": never shared with ordinary payloads.
        long[] cand = dedup == null || j.kind == BlockKind.XOR || placed.containsKey(b) ? null : dedup.get(key);
        Integer sharedCrc = cand == null ? null : sameContent(cand, j);
        if (sharedCrc != null) {
          BlockKind k = BlockKind.fromId((int) (cand[1] >>> 24));
          leaf.addLeaf(k, (int) (cand[1] & 0xFFFFFF), cand[0], j.crc, sharedCrc, j.hash);
          stats.dedupBlocks++;
        } else {
          Placed p = placed.remove(b);
          if (p == null || !Arrays.equals(p.hash, j.hash)) {
            p = store(j);
            if (dedup != null && cand == null && j.kind != BlockKind.XOR) {
              dedup.put(key, p.at, p.len, j.kind.id());
            }
          }
          leaf.addLeaf(p.kind, p.len, p.at, j.crc, p.payloadCrc, j.hash);
          stats.storedBlocks++;
          if (p.kind == BlockKind.RAW) {
            stats.rawBlocks++;
          }
        }
      }
      if (leaf.isFull()) {
        flushLeaf();
      }
    }

    /** Appends {@code j}'s payload (sealed when encrypting); what its leaf entry needs. */
    private Placed store(Job j) throws IOException {
      byte[] payload = j.kind == BlockKind.RAW ? j.data : j.packed;
      j.xor = null;
      int len = j.kind == BlockKind.RAW ? j.length : j.packedLength;
      long at = pos;
      if (cipher != null) {
        payload = cipher.seal(SnapshotCipher.Domain.PAYLOAD, at, payload, 0, len);
        len = payload.length;
      }
      writeFully(ByteBuffer.wrap(payload, 0, len));
      // A clear raw payload is the content: its CRC is the content CRC.
      int payloadCrc = j.kind == BlockKind.RAW && cipher == null ? j.crc : Checksums.crc32c(payload, 0, len);
      storedBytes += len;
      return new Placed(j.kind, len, at, payloadCrc, j.hash.clone());
    }

    /**
     * Stores block {@code block} of this stream now, ahead of the stream's other blocks (a boot
     * plan's blocks first, in plan order, so that they form one contiguous range of the file);
     * when the stream reaches that block, its entry points here if the content is the same
     * (else the block is stored again). Only before the stream's first write.
     */
    @Override
    public void placeFirst(long block, byte[] data, int length) throws IOException {
      checkOpen();
      if (blocksSubmitted > 0 || (filling != null && filling.length > 0)) {
        throw new IllegalStateException("placeFirst after the stream's first write");
      }
      if (length <= 0 || length > blockSize || block < 0 || placed.containsKey(block) || parentIndex != null) {
        throw new IllegalArgumentException("placeFirst of block " + block + " (" + length + " bytes): a block of "
            + "1.." + blockSize + " bytes, once, and not in a thin snapshot");
      }
      Job j = takeFree();
      System.arraycopy(data, 0, j.data, 0, length);
      j.length = length;
      j.xor = null;
      j.compute();
      if (j.kind != BlockKind.ZERO) {
        placed.put(block, store(j));
      }
      free.add(j);
    }

    /**
     * If the payload remembered in {@code cand} decodes to exactly {@code j}'s bytes, the CRC32C
     * of that payload (for the new entry that shares it); null otherwise.
     */
    private Integer sameContent(long[] cand, Job j) throws IOException {
      BlockKind k = BlockKind.fromId((int) (cand[1] >>> 24));
      int sealed = (int) (cand[1] & 0xFFFFFF);
      int stored = cipher == null ? sealed : sealed - Format.TAG_SIZE;
      if (k == BlockKind.RAW && stored != j.length) {
        return null;
      }
      byte[] payload = new byte[sealed];
      ByteBuffer pb = ByteBuffer.wrap(payload);
      long at = cand[0];
      while (pb.hasRemaining()) {
        int n = out.read(pb, at + pb.position());
        if (n < 0) {
          return null;
        }
      }
      int payloadCrc = Checksums.crc32c(payload, 0, sealed);
      if (cipher != null) {
        try {
          payload = cipher.open(SnapshotCipher.Domain.PAYLOAD, at, payload, 0, sealed);
        } catch (javax.crypto.AEADBadTagException e) {
          throw new IOException(temp + ": a payload this writer sealed at offset " + at + " no longer opens", e);
        }
      }
      if (k == BlockKind.RAW) {
        return Arrays.equals(payload, 0, stored, j.data, 0, j.length) ? payloadCrc : null;
      }
      try {
        Codec.shared(k.codec()).decompress(payload, 0, stored, verifyScratch, 0, j.length);
      } catch (CodecException e) {
        return null; // a different-length block with the same key prefix
      }
      return Arrays.equals(verifyScratch, 0, j.length, j.data, 0, j.length) ? payloadCrc : null;
    }

    private void flushLeaf() throws IOException {
      leafPointers.add(writePage(leaf.finish()));
      leaf = null;
    }

    /** Appends a page in its stored form; returns its pointer {offset, stored length, CRC32C of the stored bytes}. */
    private long[] writePage(byte[] page) throws IOException {
      byte[] stored = IndexPage.pack(page);
      long at = pos;
      if (cipher != null) {
        stored = cipher.seal(SnapshotCipher.Domain.INDEX, at, stored, 0, stored.length);
      }
      writeFully(ByteBuffer.wrap(stored));
      return new long[] {at, stored.length, Checksums.crc32c(stored, 0, stored.length)};
    }

    @Override
    public void close() throws IOException {
      if (ended || closed) {
        return;
      }
      ended = true;
      if (filling != null && filling.length > 0) {
        submit();
      } else if (filling != null) {
        free.add(filling);
        filling = null;
      }
      while (!inflight.isEmpty()) {
        commitOldest();
      }
      if (leaf != null) {
        flushLeaf();
      }
      int depth = 0;
      long rootOffset = 0;
      int rootLength = 0;
      int rootCrc = 0;
      List<long[]> level = leafPointers;
      if (!level.isEmpty()) {
        depth = 1;
        while (level.size() > 1) {
          level = writeInternalLevel(level, depth);
          depth++;
        }
        rootOffset = level.get(0)[0];
        rootLength = (int) level.get(0)[1];
        rootCrc = (int) level.get(0)[2];
      }
      if (depth != Format.indexDepth(blocks)) {
        throw new IllegalStateException("index depth " + depth + " for " + blocks + " blocks");
      }
      streams.put(kind, new StreamDescriptor(kind, size, depth, rootOffset, rootLength, storedBytes, rootCrc));
      identityParts.add(new Identity.StreamPart(kind, size, hasher.finish()));
      stats.logicalBytes += size;
      stats.payloadBytes += storedBytes;
      stats.indexBytes += pos - streamStart - storedBytes;
      current = null;
    }

    /** Writes the pages of index level {@code childLevel + 1}; returns their pointers. */
    private List<long[]> writeInternalLevel(List<long[]> children, int level) throws IOException {
      List<long[]> parents = new ArrayList<>();
      long perEntry = Format.blocksPerEntry(level);
      for (int i = 0; i < children.size(); i += Format.INTERNAL_FANOUT) {
        IndexPage.Builder p = new IndexPage.Builder(level, kind, i * perEntry);
        for (int c = i; c < Math.min(children.size(), i + Format.INTERNAL_FANOUT); c++) {
          long[] ch = children.get(c);
          p.addChild(ch[0], (int) ch[1], (int) ch[2]);
        }
        parents.add(writePage(p.finish()));
      }
      return parents;
    }
  }
}
