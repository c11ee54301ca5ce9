package io.hexz.write;

import io.hexz.codec.Codec;
import io.hexz.codec.CodecType;
import io.hexz.crypto.Crypto;
import io.hexz.crypto.SnapshotCipher;
import io.hexz.format.Checksums;
import io.hexz.format.EncryptionInfo;
import io.hexz.format.Format;
import io.hexz.format.Header;
import io.hexz.format.HeaderBuilder;
import io.hexz.format.Identity;
import io.hexz.format.Metadata;
import io.hexz.format.PrefetchPlan;
import io.hexz.format.SignatureInfo;
import io.hexz.format.StreamDescriptor;
import io.hexz.format.StreamKind;
import io.hexz.read.ParentIndex;
import io.hexz.read.Snapshot;
import io.hexz.read.Snapshots;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Writes a snapshot file: blocks are cut from the input on the caller's thread, compressed and
 * hashed on a pool of {@code threads} named workers, and committed (dedup, payload append, index
 * entry) on the caller's thread strictly in block order. Because commit order and codecs are
 * deterministic, the output is byte-identical whatever the thread count.
 *
 * <p>The parts, in the order a block meets them: {@link BlockSink} (the open stream: cuts input
 * into blocks, XOR deltas, parent references, blocks placed first), {@link Pipeline} (the
 * workers and the in-order hand-back), {@link Committer} (what each leaf entry points at: parent,
 * zero, a deduplicated or a new payload) with {@link IndexWriter} (leaf and inner pages), and
 * {@link OutputFile} (the temporary file, background writeback, rename into place). This class
 * owns their lifecycle, the parent and the cipher, and assembles the metadata and the header.
 *
 * <p>Memory is bounded: at most {@code 2 * threads + 1} blocks are in flight (each with its
 * input and output buffer), one leaf index page is open per stream, and the dedup table is
 * capped; a 2 GiB and a 200 GiB input build in the same heap. Leaf pages are written inline as
 * they fill, so only one 16-byte pointer per 1024 blocks is kept until the stream ends.
 *
 * <p>Atomicity: everything goes to a temporary file beside the destination; the header, which
 * makes a file a snapshot, is written last, then the file is forced and renamed into place.
 * Every write and writeback error fails the writer for good, so a file with lost pages is never
 * renamed over an older good one (see {@link OutputFile}).
 *
 * <p>Concurrency: not thread-safe; one thread drives a writer.
 */
final class SnapshotWriterImpl implements SnapshotWriter, BlockSink.Owner {
  private final Path target;
  private final WriteOptions options;
  private final int blockSize;
  private final OutputFile out;
  private final Pipeline pipeline;
  private final Committer committer;
  private final Map<StreamKind, StreamDescriptor> streams = new EnumMap<>(StreamKind.class);
  private final List<Identity.StreamPart> identityParts = new ArrayList<>();
  private final Map<String, String> userMeta = new LinkedHashMap<>();
  private PrefetchPlan plan;
  private long consumed;
  private BlockSink current;
  private boolean closed;
  private final WriteStats stats = new WriteStats();
  private final Snapshot parent; // thin: the parent snapshot (and its chain), else null
  private final ParentIndex parentIndex;
  private final String parentHint;
  private final SnapshotCipher cipher; // null unless encrypting
  private final byte[] salt;

  SnapshotWriterImpl(Path target, WriteOptions options) throws IOException {
    this(target, options, t -> FileChannel.open(t, StandardOpenOption.WRITE, StandardOpenOption.READ),
        OutputFile.FLUSH_EVERY);
  }

  SnapshotWriterImpl(Path target, WriteOptions options, OutputFile.Opener opener, long flushEvery) throws IOException {
    this.target = target.toAbsolutePath();
    this.options = options;
    this.blockSize = options.blockSize();
    if (options.parent() != null) {
      Path pp = options.parent().toAbsolutePath().normalize();
      if (pp.equals(this.target.normalize())) {
        throw new IllegalArgumentException(target + ": a snapshot cannot be its own parent");
      }
      this.parent = Snapshots.open(pp, options.parentReadOptions());
      this.parentIndex = ParentIndex.of(parent);
      this.parentHint = this.target.getParent().relativize(pp).toString();
      if (parentIndex.blockSize() != blockSize) {
        parent.close();
        throw new IllegalArgumentException("block size " + blockSize + " differs from the parent's ("
            + parentIndex.blockSize() + "): a thin snapshot uses its parent's block size");
      }
      Optional<Snapshot> sealed = Snapshots.encryptedLayer(parent);
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
    Codec codec;
    try {
      codec = options.codec() == CodecType.NONE ? null : Codec.of(options.codec(), options.level());
      if (options.password() != null) {
        // A fresh salt per snapshot gives a fresh key: no (key, nonce) pair of another file can
        // recur here, and a payload spliced in from another snapshot fails its tag.
        this.salt = Crypto.newSalt();
        c = Crypto.derive(options.password(), options.kdf(), salt);
      } else {
        this.salt = null;
      }
      this.cipher = c;
      this.out = OutputFile.create(this.target, opener, flushEvery);
    } catch (IOException | RuntimeException | Error e) {
      // A writer that could not start leaves nothing behind: no temporary file, no open parent.
      abandon(e, c, parent);
      throw e;
    }
    this.pipeline = new Pipeline(this.target, blockSize, codec, options.threads());
    DedupTable dedup = options.dedup() ? new DedupTable(options.dedupCapacity()) : null;
    this.committer = new Committer(out, cipher, dedup, parentIndex, blockSize, stats);
    userMeta.putAll(options.metadata());
  }

  /** Releases what a failed constructor had made; later failures are added to {@code e}. */
  private static void abandon(Throwable e, SnapshotCipher cipher, Snapshot parent) {
    if (cipher != null) {
      cipher.close();
    }
    try {
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
      throw new IllegalStateException("stream " + current.kind() + " is still open");
    }
    if (streams.containsKey(kind)) {
      throw new IllegalStateException("stream " + kind + " was already written");
    }
    current = new BlockSink(kind, blockSize, this, pipeline, committer.open(kind), parent, parentIndex);
    return current;
  }

  @Override
  public void putMetadata(String key, String value) {
    userMeta.put(key, value);
  }

  @Override
  public void prefetchPlan(PrefetchPlan plan) {
    this.plan = plan;
  }

  @Override
  public Path finish() throws IOException {
    ensureOpen();
    try {
      out.checkNotFailed();
    } catch (IOException e) {
      close();
      throw e;
    }
    if (current != null) {
      throw new IllegalStateException("stream " + current.kind() + " is still open");
    }
    if (!streams.containsKey(StreamKind.DISK)) {
      throw new IllegalStateException("a snapshot needs a disk stream");
    }
    try {
      Instant created = options.created() != null ? options.created() : Instant.now();
      byte[] meta = new Metadata(created, options.source(), "hexz " + Version.VERSION, userMeta,
          plan == null ? null : plan.encode()).encode();
      long metaOffset = out.position();
      if (cipher != null) {
        meta = cipher.seal(SnapshotCipher.Domain.METADATA, metaOffset, meta, 0, meta.length);
      }
      out.append(ByteBuffer.wrap(meta));
      out.awaitWriteback();
      byte[] identity = Identity.compute(blockSize, identityParts);
      Header h = header(metaOffset, meta, identity);
      out.install(h.encode(), options.maxPermissions());
      stats.fileBytes = h.fileLength();
      stats.identity = identity;
      return target;
    } finally {
      close();
    }
  }

  /** The finished file's header, its key check sealed last when encrypting. */
  private Header header(long metaOffset, byte[] meta, byte[] identity) {
    // A manifest stream is what makes a directory snapshot: the flag follows it (flatten keeps it too).
    int incompat = (parent == null ? 0 : Format.INCOMPAT_THIN) | (cipher == null ? 0 : Format.INCOMPAT_ENCRYPTED)
        | (streams.containsKey(StreamKind.MANIFEST) ? Format.INCOMPAT_TREE : 0);
    EncryptionInfo enc = cipher == null ? null : new EncryptionInfo(options.kdf().memoryKiB(),
        options.kdf().iterations(), options.kdf().parallelism(), salt, new byte[EncryptionInfo.KEY_CHECK_SIZE]);
    HeaderBuilder b = Header.builder()
        .flags(incompat, 0)
        .blockShift(Integer.numberOfTrailingZeros(blockSize))
        .codec(options.codec(), Math.max(0, options.level()))
        .fileLength(out.position())
        .metadata(metaOffset, meta.length, Checksums.crc32c(meta, 0, meta.length))
        .identity(cipher == null ? identity : cipher.opaqueIdentity(identity))
        .streams(streams)
        .encryption(enc);
    if (parent != null) {
      b.parent(parentIndex.identity(), parentHint);
    }
    Header h = b.build();
    if (cipher != null) {
      // The key check seals the content identity with every clear header field as AAD: opening
      // it proves the password and authenticates the header in one step.
      byte[] check = cipher.seal(SnapshotCipher.Domain.HEADER, 0, identity, 0, identity.length,
          SignatureInfo.keyCheckBytes(h.encode().array()));
      h = h.withEncryption(new EncryptionInfo(enc.memoryKiB(), enc.iterations(), enc.parallelism(), salt, check));
    }
    return h;
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    pipeline.close();
    try {
      if (parent != null) {
        parent.close();
      }
      if (cipher != null) {
        cipher.close();
      }
    } finally {
      out.close();
    }
  }

  @Override
  public void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("writer for " + target + " is closed");
    }
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  @Override
  public void consumed(int bytes) {
    consumed += bytes;
    options.progress().accept(consumed);
  }

  @Override
  public void ended(BlockSink sink, Committer.Ended ended) {
    streams.put(sink.kind(), ended.descriptor());
    identityParts.add(ended.identity());
    current = null;
  }
}
