package io.hexz.nbd;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Direct buffers for the payload of read replies, shared by a server's connections and reused.
 * A reply's payload used to be a fresh heap buffer: it lives until the socket has taken it, so
 * under a copy that keeps dozens of reads in flight (nbdcopy: 4 connections x 64 requests of
 * 256 KiB) most of them outlived a young collection and were copied into the old generation, and
 * writing a heap buffer to a socket copies it once more into a temporary direct one. Copying a
 * 2 GiB Debian image through a fresh `hexz serve` took 60 collections (4.2 s of pauses).
 *
 * <p>At most {@link #MAX_BUFFERS} buffers of {@link #SIZE} bytes exist (created on demand, never
 * freed: 32 MiB of direct memory at most, however many clients); a larger read, or one that
 * finds none free, gets a heap buffer as before. Thread-safe.
 */
final class ReplyBuffers {
  static final int SIZE = 256 << 10;
  static final int MAX_BUFFERS = 128;

  private final ConcurrentLinkedQueue<ByteBuffer> free = new ConcurrentLinkedQueue<>();
  private final AtomicInteger created = new AtomicInteger();

  /** A buffer with {@code n} bytes of room (position 0, limit n); pooled when n allows and one is free. */
  ByteBuffer take(int n) {
    if (n <= SIZE) {
      ByteBuffer b = free.poll();
      if (b == null && created.getAndIncrement() < MAX_BUFFERS) {
        try {
          b = ByteBuffer.allocateDirect(SIZE);
        } catch (OutOfMemoryError e) {
          // a JVM run with a small -XX:MaxDirectMemorySize: heap buffers serve as well
        }
      }
      if (b != null) {
        return b.clear().limit(n);
      }
    }
    return ByteBuffer.allocate(n);
  }

  /** Returns a buffer {@link #take} gave once nothing reads it any more; heap buffers are dropped. */
  void give(ByteBuffer b) {
    if (b != null && b.isDirect() && b.capacity() == SIZE) {
      free.offer(b);
    }
  }

  /** Buffers created so far (for tests). */
  int created() {
    return Math.min(created.get(), MAX_BUFFERS);
  }
}
