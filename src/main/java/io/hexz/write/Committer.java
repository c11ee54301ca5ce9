package io.hexz.write;

import io.hexz.codec.Codec;
import io.hexz.codec.CodecException;
import io.hexz.crypto.SnapshotCipher;
import io.hexz.format.BlockKind;
import io.hexz.format.Checksums;
import io.hexz.format.Format;
import io.hexz.format.Identity;
import io.hexz.format.IndexPage;
import io.hexz.format.StreamDescriptor;
import io.hexz.format.StreamKind;
import io.hexz.read.ParentIndex;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import javax.crypto.AEADBadTagException;

/**
 * The commit step, on the writer thread in block order: for each computed block, decide what its
 * leaf entry points at (a PARENT reference, a ZERO block, a payload already in the file, or a new
 * payload appended now, sealed when encrypting) and add the entry to the stream's index. Blocks
 * equal to the parent's become PARENT entries; other blocks dedup through {@link DedupTable}, a hit
 * counting only after the stored payload decodes to exactly the block's bytes.
 *
 * <p>State shared by every stream (the dedup table, zero-block facts, the output) lives here; what
 * belongs to one stream lives in a {@link Stream}. Not thread-safe.
 */
final class Committer {
  /** PARENT entries carry no CRC or hash (the parent's index has them): identical entries compress away. */
  private static final byte[] NO_HASH = new byte[Format.HASH_SIZE];

  private final OutputFile out;
  private final SnapshotCipher cipher; // null unless encrypting
  private final DedupTable dedup; // null without dedup
  private final ParentIndex parentIndex; // null unless thin
  private final WriteStats stats;
  private final byte[] parentScratch = new byte[Format.HASH_SIZE];
  private final byte[] verifyScratch;
  private final Map<Integer, ZeroFacts> zeros = new HashMap<>();

  /** The SHA-256 and CRC32C of an all-zero block of one length. */
  private record ZeroFacts(byte[] hash, int crc) {
    static ZeroFacts of(int length) {
      byte[] z = new byte[length];
      return new ZeroFacts(Checksums.sha256().digest(z), Checksums.crc32c(z, 0, length));
    }
  }

  /** A payload already in the file: what a leaf entry that uses it records. */
  private record Placed(BlockKind kind, int len, long at, int payloadCrc, byte[] hash) {}

  /** What a finished stream contributes to the header and to the content identity. */
  record Ended(StreamDescriptor descriptor, Identity.StreamPart identity) {}

  Committer(OutputFile out, SnapshotCipher cipher, DedupTable dedup, ParentIndex parentIndex, int blockSize,
      WriteStats stats) {
    this.out = out;
    this.cipher = cipher;
    this.dedup = dedup;
    this.parentIndex = parentIndex;
    this.stats = stats;
    this.verifyScratch = new byte[blockSize];
  }

  /** Starts committing stream {@code kind}; its payloads and pages follow the current end of the file. */
  Stream open(StreamKind kind) {
    return new Stream(kind);
  }

  /** Appends a page in its stored form (packed, sealed when encrypting). */
  private IndexWriter.PagePointer appendPage(byte[] page) throws IOException {
    byte[] stored = IndexPage.pack(page);
    long at = out.position();
    if (cipher != null) {
      stored = cipher.seal(SnapshotCipher.Domain.INDEX, at, stored, 0, stored.length);
    }
    out.append(ByteBuffer.wrap(stored));
    return new IndexWriter.PagePointer(at, stored.length, Checksums.crc32c(stored, 0, stored.length));
  }

  /** Appends {@code j}'s payload (sealed when encrypting); what its leaf entry needs. */
  private Placed store(Pipeline.Job j) throws IOException {
    byte[] payload = j.kind == BlockKind.RAW ? j.data : j.packed;
    j.xor = null;
    int len = j.kind == BlockKind.RAW ? j.length : j.packedLength;
    long at = out.position();
    if (cipher != null) {
      payload = cipher.seal(SnapshotCipher.Domain.PAYLOAD, at, payload, 0, len);
      len = payload.length;
    }
    out.append(ByteBuffer.wrap(payload, 0, len));
    // A clear raw payload is the content: its CRC is the content CRC.
    int payloadCrc = j.kind == BlockKind.RAW && cipher == null ? j.crc : Checksums.crc32c(payload, 0, len);
    return new Placed(j.kind, len, at, payloadCrc, j.hash.clone());
  }

  /**
   * If the payload {@code hit} decodes to exactly {@code j}'s bytes, the CRC32C of that payload
   * (for the new entry that shares it); null otherwise.
   */
  private Integer sameContent(DedupTable.Hit hit, Pipeline.Job j) throws IOException {
    int sealed = hit.storedLength();
    int stored = cipher == null ? sealed : sealed - Format.TAG_SIZE;
    if (hit.kind() == BlockKind.RAW && stored != j.length) {
      return null;
    }
    byte[] payload = new byte[sealed];
    long at = hit.offset();
    if (!out.readBack(ByteBuffer.wrap(payload), at)) {
      return null;
    }
    int payloadCrc = Checksums.crc32c(payload, 0, sealed);
    if (cipher != null) {
      try {
        payload = cipher.open(SnapshotCipher.Domain.PAYLOAD, at, payload, 0, sealed);
      } catch (AEADBadTagException e) {
        throw new IOException(out.temp() + ": a payload this writer sealed at offset " + at + " no longer opens", e);
      }
    }
    if (hit.kind() == BlockKind.RAW) {
      return Arrays.equals(payload, 0, stored, j.data, 0, j.length) ? payloadCrc : null;
    }
    try {
      Codec.shared(hit.kind().codec()).decompress(payload, 0, stored, verifyScratch, 0, j.length);
    } catch (CodecException e) {
      return null; // a different-length block with the same key prefix
    }
    return Arrays.equals(verifyScratch, 0, j.length, j.data, 0, j.length) ? payloadCrc : null;
  }

  private ZeroFacts zeros(int length) {
    return zeros.computeIfAbsent(length, ZeroFacts::of);
  }

  /** One stream's commit state: its index, its content hash and the blocks placed ahead of their turn. */
  final class Stream implements Pipeline.Commit {
    private final StreamKind kind;
    private final IndexWriter index;
    private final Identity.StreamHasher hasher = new Identity.StreamHasher();
    /** Blocks stored ahead of their turn ({@link #placeFirst}), by block number. */
    private final Map<Long, Placed> placed = new HashMap<>();
    private final long start = out.position();
    private long storedBytes;

    private Stream(StreamKind kind) {
      this.kind = kind;
      this.index = new IndexWriter(kind, Committer.this::appendPage);
    }

    @Override
    public void commit(Pipeline.Job j) throws IOException {
      long b = index.blocks();
      if (j.kind == BlockKind.PARENT) {
        parentIndex.hashAndCrc(kind, b, j.hash);
        hasher.block(j.hash, 0);
        index.add(BlockKind.PARENT, 0, 0, 0, 0, NO_HASH);
        stats.parentBlocks++;
        return;
      }
      if (j.kind == BlockKind.ZERO) {
        ZeroFacts z = zeros(j.length);
        hasher.block(z.hash(), 0);
        index.add(BlockKind.ZERO, 0, 0, z.crc(), 0, z.hash());
        stats.zeroBlocks++;
        return;
      }
      hasher.block(j.hash, 0);
      if (parentIndex != null && parentIndex.sameBlock(kind, b, j.length, j.hash, parentScratch)) {
        index.add(BlockKind.PARENT, 0, 0, 0, 0, NO_HASH);
        stats.parentBlocks++;
        return;
      }
      long key = ByteBuffer.wrap(j.hash).getLong();
      // XOR payloads mean "content XOR parent bytes": never shared with ordinary payloads.
      DedupTable.Hit hit = dedup == null || j.kind == BlockKind.XOR || placed.containsKey(b) ? null : dedup.get(key);
      Integer sharedCrc = hit == null ? null : sameContent(hit, j);
      if (sharedCrc != null) {
        index.add(hit.kind(), hit.storedLength(), hit.offset(), j.crc, sharedCrc, j.hash);
        stats.dedupBlocks++;
        return;
      }
      Placed p = placed.remove(b);
      if (p == null || !Arrays.equals(p.hash(), j.hash)) {
        p = store(j);
        storedBytes += p.len();
        if (dedup != null && hit == null && j.kind != BlockKind.XOR) {
          dedup.put(key, p.at(), p.len(), j.kind);
        }
      }
      index.add(p.kind(), p.len(), p.at(), j.crc, p.payloadCrc(), j.hash);
      stats.storedBlocks++;
      if (p.kind() == BlockKind.RAW) {
        stats.rawBlocks++;
      }
    }

    /**
     * Stores block {@code block} of this stream now, from the computed {@code j}, ahead of the
     * stream's other blocks; when the stream reaches that block, its entry points here if the
     * content is the same (else the block is stored again). A zero block needs no payload.
     */
    void placeFirst(long block, Pipeline.Job j) throws IOException {
      if (j.kind != BlockKind.ZERO) {
        Placed p = store(j);
        storedBytes += p.len();
        placed.put(block, p);
      }
    }

    /** Whether {@code block} was placed ahead of its turn. */
    boolean isPlaced(long block) {
      return placed.containsKey(block);
    }

    /** Appends the rest of the index; what the stream of {@code size} bytes contributes. */
    Ended finish(long size) throws IOException {
      StreamDescriptor d = index.finish(size, storedBytes);
      stats.logicalBytes += size;
      stats.payloadBytes += storedBytes;
      stats.indexBytes += out.position() - start - storedBytes;
      return new Ended(d, new Identity.StreamPart(kind, size, hasher.finish()));
    }
  }
}
