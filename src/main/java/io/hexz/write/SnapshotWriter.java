package io.hexz.write;

import io.hexz.format.StreamKind;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes one snapshot. Streams are added one after the other (each kind at most once); the file
 * appears at its destination only when {@link #finish} succeeds. {@link #close} without finish
 * removes everything written. Not thread-safe: one thread drives a writer (compression runs on
 * the writer's own pool).
 */
public interface SnapshotWriter extends Closeable {

  /** Starts a stream; write its bytes to the returned sink and close the sink to end it. */
  StreamSink beginStream(StreamKind kind) throws IOException;

  /** Adds a user metadata key/value. */
  void putMetadata(String key, String value);

  /** Stores {@code plan} (blocks to load first, in order) in the metadata; null for none. */
  void prefetchPlan(io.hexz.format.PrefetchPlan plan);

  /** Completes the file, makes it durable and renames it into place; returns its path. */
  Path finish() throws IOException;

  /** Adds a whole file as a stream. */
  default void addFile(StreamKind kind, Path file) throws IOException {
    try (StreamSink sink = beginStream(kind); FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
      sink.writeFrom(in);
    }
  }

  /** Adds everything {@code in} yields as a stream. */
  default void addStream(StreamKind kind, InputStream in) throws IOException {
    try (StreamSink sink = beginStream(kind)) {
      sink.writeFrom(java.nio.channels.Channels.newChannel(in));
    }
  }

  /** Adds bytes as a stream. */
  default void addBytes(StreamKind kind, byte[] data) throws IOException {
    try (StreamSink sink = beginStream(kind)) {
      sink.write(ByteBuffer.wrap(data));
    }
  }

  /** Adds {@code data} as a whole stream stored as an XOR delta; see {@link StreamSink#writeXorDelta}. */
  default void addXorDelta(StreamKind kind, byte[] data, long baseOffset, long baseLength, int elementSize)
      throws IOException {
    try (StreamSink sink = beginStream(kind)) {
      sink.writeXorDelta(data, baseOffset, baseLength, elementSize);
    }
  }

  /** Adds {@code data} as a whole stream, XORed with {@code baseData}; see {@link StreamSink#writeXorDeltaFromBuffers}. */
  default void addXorDeltaFromBuffers(StreamKind kind, byte[] data, byte[] baseData, int elementSize)
      throws IOException {
    try (StreamSink sink = beginStream(kind)) {
      sink.writeXorDeltaFromBuffers(data, baseData, elementSize);
    }
  }

  /** Adds a float array as a stream, little-endian. */
  default void addArray(StreamKind kind, float[] a) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(a.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(a);
    addBytes(kind, b.array());
  }

  /** Adds a double array as a stream, little-endian. */
  default void addArray(StreamKind kind, double[] a) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(a.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    b.asDoubleBuffer().put(a);
    addBytes(kind, b.array());
  }

  /** Adds an int array as a stream, little-endian. */
  default void addArray(StreamKind kind, int[] a) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(a.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asIntBuffer().put(a);
    addBytes(kind, b.array());
  }

  /** Adds a long array as a stream, little-endian. */
  default void addArray(StreamKind kind, long[] a) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(a.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    b.asLongBuffer().put(a);
    addBytes(kind, b.array());
  }

  /** Adds a short array as a stream, little-endian. */
  default void addArray(StreamKind kind, short[] a) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(a.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    b.asShortBuffer().put(a);
    addBytes(kind, b.array());
  }

  /** Removes the temporary file unless {@link #finish} succeeded; idempotent. */
  @Override
  void close() throws IOException;

  /** The open stream of a writer. Not thread-safe. */
  interface StreamSink extends Closeable {
    /** Appends all of {@code src}. */
    void write(ByteBuffer src) throws IOException;

    /**
     * Stores block {@code block} (its {@code length} bytes of {@code data}) before the stream's
     * other blocks, so that a boot plan's blocks lie first and together in the file; the block's
     * entry uses that copy when the stream reaches it with the same content. Only before the
     * stream's first write, and not in a thin snapshot.
     */
    void placeFirst(long block, byte[] data, int length) throws IOException;

    /**
     * Appends {@code count} blocks taken unchanged from the parent at the current position, which
     * must be block-aligned; only for thin snapshots. Costs no payload and no read.
     */
    void copyParentBlocks(long count) throws IOException;

    /** Pads with zeros up to the next block boundary (so that an XOR delta can follow). */
    void alignToBlock() throws IOException;

    /**
     * Appends {@code data} (a tensor, say) stored as XOR against the parent's bytes
     * {@code [baseOffset, baseOffset + baseLength)} of the same stream, byte-shuffled by
     * {@code elementSize} (1, 2, 4 or 8) before compression: weights that changed slightly XOR to
     * mostly zero high bytes, which compress far better. Reads return the real bytes. The current
     * position must be block-aligned; only for thin snapshots.
     */
    void writeXorDelta(byte[] data, long baseOffset, long baseLength, int elementSize) throws IOException;

    /**
     * Like {@link #writeXorDelta} against the parent's bytes at the current position, which the
     * caller already has in {@code baseData} (checked against the parent).
     */
    void writeXorDeltaFromBuffers(byte[] data, byte[] baseData, int elementSize) throws IOException;

    /** Appends everything {@code in} yields, until its end. */
    void writeFrom(java.nio.channels.ReadableByteChannel in) throws IOException;

    /** Ends the stream. */
    @Override
    void close() throws IOException;
  }
}
