package io.hexz.read;

import io.hexz.format.Header;
import io.hexz.format.Metadata;
import io.hexz.format.StreamKind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * An open snapshot. As a {@link BlockDevice} it is its disk stream; other streams are reached with
 * {@link #stream}. Thread-safe; {@link #close} is idempotent.
 */
public interface Snapshot extends BlockDevice {

  /** Path or URI this snapshot was opened from. */
  String name();

  /** The checked header. */
  Header header();

  /** The checked metadata section. */
  Metadata metadata();

  /** The disk stream. */
  default BlockDevice disk() {
    return stream(StreamKind.DISK).orElseThrow();
  }

  /** The memory stream, if the snapshot has one. */
  default Optional<BlockDevice> memory() {
    return stream(StreamKind.MEMORY);
  }

  /**
   * The file tree of a directory snapshot (header flag TREE), empty for an image snapshot. The
   * manifest header is read and checked on the first call.
   */
  default Optional<Tree> tree() throws IOException {
    return Optional.empty();
  }

  /** A stream by kind, if present. */
  Optional<BlockDevice> stream(StreamKind kind);

  /**
   * Reads asynchronously on hexz's I/O pool; the caller's thread never blocks. The future
   * completes with the bytes read (-1 at end) or exceptionally with the I/O error.
   */
  CompletableFuture<Integer> readAsync(StreamKind kind, ByteBuffer dst, long offset);

  /** A seekable channel over a stream; each channel has its own position. */
  default SeekableByteChannel channel(StreamKind kind) {
    return new BlockDeviceChannel(stream(kind).orElseThrow(
        () -> new IllegalArgumentException(name() + " has no " + kind + " stream")));
  }

  /** An input stream over a stream, from its start. */
  default InputStream inputStream(StreamKind kind) {
    return java.nio.channels.Channels.newInputStream(channel(kind));
  }

  @Override
  void close() throws IOException;
}
