package io.hexz.write;

import io.hexz.format.BlockKind;
import io.hexz.format.StreamKind;
import io.hexz.format.XorPayload;
import io.hexz.read.BlockDevice;
import io.hexz.read.ParentIndex;
import io.hexz.read.Snapshot;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.Arrays;

/**
 * The open stream of a writer: cuts its input into blocks, submits full blocks to the
 * {@link Pipeline} and has them committed by its {@link Committer.Stream}. Also the stream's
 * special inputs: XOR deltas against the parent, references to the parent's blocks, and blocks
 * placed ahead of their turn. Not thread-safe; one stream of a writer is open at a time.
 */
final class BlockSink implements SnapshotWriter.StreamSink {
  /** What the sink needs from its writer. */
  interface Owner {
    /** Throws unless the writer is still open. */
    void ensureOpen();

    /** Whether the writer was closed (a stream closed after it has nothing left to do). */
    boolean isClosed();

    /** {@code bytes} more input went into the pipeline. */
    void consumed(int bytes);

    /** The stream was closed and everything in it committed. */
    void ended(BlockSink sink, Committer.Ended ended);
  }

  private final StreamKind kind;
  private final int blockSize;
  private final Owner owner;
  private final Pipeline pipeline;
  private final Committer.Stream committer;
  private final Snapshot parent; // thin: the parent snapshot (and its chain), else null
  private final ParentIndex parentIndex;
  private Pipeline.Job filling;
  private long blocksSubmitted;
  private long size;
  private boolean ended;

  BlockSink(StreamKind kind, int blockSize, Owner owner, Pipeline pipeline, Committer.Stream committer,
      Snapshot parent, ParentIndex parentIndex) {
    this.kind = kind;
    this.blockSize = blockSize;
    this.owner = owner;
    this.pipeline = pipeline;
    this.committer = committer;
    this.parent = parent;
    this.parentIndex = parentIndex;
  }

  StreamKind kind() {
    return kind;
  }

  @Override
  public void write(ByteBuffer src) throws IOException {
    checkOpen();
    while (src.hasRemaining()) {
      Pipeline.Job j = filling();
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
    BlockDevice p = parent.stream(kind).orElseThrow(
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
      Pipeline.Job j = filling();
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
    BlockDevice p = parent == null ? null : parent.stream(kind).orElse(null);
    long at = size;
    if (p != null && baseData.length <= p.size() - Math.min(at, p.size())) {
      // The caller vouches that baseData is the parent's content here; check it, since the
      // reader will XOR with the parent's real bytes.
      byte[] actual = new byte[baseData.length];
      ByteBuffer bb = ByteBuffer.wrap(actual);
      while (bb.hasRemaining()) {
        p.read(bb, at + bb.position());
      }
      if (!Arrays.equals(actual, baseData)) {
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
      Pipeline.Job j = filling();
      filling = null;
      j.kind = BlockKind.PARENT;
      j.length = parentIndex.blockLength(kind, b);
      if (j.length != blockSize && b != parentIndex.blocks(kind) - 1) {
        throw new IllegalStateException("short parent block " + b + " in the middle of a stream");
      }
      size += j.length;
      pipeline.submitComputed(j, committer);
      blocksSubmitted++;
      owner.consumed(j.length);
    }
  }

  @Override
  public void writeFrom(ReadableByteChannel in) throws IOException {
    checkOpen();
    while (true) {
      Pipeline.Job j = filling();
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
    if (length <= 0 || length > blockSize || block < 0 || committer.isPlaced(block) || parentIndex != null) {
      throw new IllegalArgumentException("placeFirst of block " + block + " (" + length + " bytes): a block of "
          + "1.." + blockSize + " bytes, once, and not in a thin snapshot");
    }
    Pipeline.Job j = pipeline.take(committer);
    System.arraycopy(data, 0, j.data, 0, length);
    j.length = length;
    j.compute();
    committer.placeFirst(block, j);
    pipeline.release(j);
  }

  private void checkOpen() {
    owner.ensureOpen();
    if (ended) {
      throw new IllegalStateException("stream " + kind + " is closed");
    }
  }

  private Pipeline.Job filling() throws IOException {
    if (filling == null) {
      filling = pipeline.take(committer);
    }
    return filling;
  }

  private void submit() throws IOException {
    Pipeline.Job j = filling;
    filling = null;
    pipeline.submit(j, committer);
    blocksSubmitted++;
    owner.consumed(j.length);
  }

  /** Submits the last, short block, commits everything in flight and appends the index. */
  @Override
  public void close() throws IOException {
    if (ended || owner.isClosed()) {
      return;
    }
    ended = true;
    if (filling != null && filling.length > 0) {
      submit();
    } else if (filling != null) {
      pipeline.release(filling);
      filling = null;
    }
    pipeline.drain(committer);
    owner.ended(this, committer.finish(size));
  }
}
