package io.hexz.write;

import io.hexz.codec.Codec;
import io.hexz.format.BlockKind;
import io.hexz.format.Checksums;
import io.hexz.format.Format;
import io.hexz.format.XorPayload;
import io.hexz.read.Pools;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.DigestException;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The compression pipeline: blocks ({@link Job}s) are filled on the writer thread, compressed and
 * hashed on {@code threads} workers ({@code hexz-compress-N}), and handed back to the writer
 * thread strictly in submission order for commit. The order, not the workers' timing, decides the
 * output, so it is byte-identical for any thread count.
 *
 * <p>Memory: {@code 2 * threads + 1} jobs exist, each with its input and output buffer, reused;
 * a submit past the window first commits the oldest job.
 *
 * <p>Concurrency: every method runs on the writer thread; a job belongs to one thread at a time
 * (the writer while it fills and commits it, a worker while it computes it).
 */
final class Pipeline {
  /** Where a computed job goes, on the writer thread, in block order. */
  interface Commit {
    void commit(Job j) throws IOException;
  }

  private final Path target;
  private final int blockSize;
  private final Codec codec;
  private final ExecutorService pool;
  private final int window;
  private final ArrayDeque<Future<Job>> inflight = new ArrayDeque<>();
  private final ArrayDeque<Job> free = new ArrayDeque<>();
  private final ThreadLocal<MessageDigest> sha = ThreadLocal.withInitial(Checksums::sha256);
  /** Scratch for the XOR transform, per compression thread. */
  private final ThreadLocal<byte[][]> xorScratch;

  /** {@code codec} null stores blocks raw; {@code target} names the snapshot in errors. */
  Pipeline(Path target, int blockSize, Codec codec, int threads) {
    this.target = target;
    this.blockSize = blockSize;
    this.codec = codec;
    this.xorScratch = ThreadLocal.withInitial(() -> new byte[][] {new byte[blockSize], new byte[blockSize]});
    this.pool = Executors.newFixedThreadPool(threads, Pools.named("hexz-compress"));
    this.window = threads * 2;
    for (int i = 0; i <= window; i++) {
      free.add(new Job());
    }
  }

  /** A free job (emptied), committing the oldest in-flight jobs through {@code to} until one is free. */
  Job take(Commit to) throws IOException {
    while (free.isEmpty()) {
      commitOldest(to);
    }
    Job j = free.poll();
    j.length = 0;
    j.xor = null;
    return j;
  }

  /** Returns a job that will not be submitted. */
  void release(Job j) {
    free.add(j);
  }

  /** Queues {@code j} for a worker to compute. */
  void submit(Job j, Commit to) throws IOException {
    enqueue(pool.submit(j::compute), to);
  }

  /** Queues {@code j} as it is (a PARENT reference needs no work), in order with the others. */
  void submitComputed(Job j, Commit to) throws IOException {
    enqueue(CompletableFuture.completedFuture(j), to);
  }

  private void enqueue(Future<Job> f, Commit to) throws IOException {
    if (inflight.size() >= window) {
      commitOldest(to);
    }
    inflight.add(f);
  }

  /** Commits every job in flight, in order. */
  void drain(Commit to) throws IOException {
    while (!inflight.isEmpty()) {
      commitOldest(to);
    }
  }

  private void commitOldest(Commit to) throws IOException {
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
    // Only one stream is open at a time, so the oldest job is the open stream's.
    to.commit(j);
    free.add(j);
  }

  /** Stops the workers and drops what is in flight. */
  void close() {
    pool.shutdownNow();
    for (Future<Job> f : inflight) {
      f.cancel(false);
    }
    inflight.clear();
  }

  /** Sized so that an XOR payload (header + worst-case inner) always fits. */
  private int xorPackedSize() {
    return XorPayload.HEADER_SIZE + Math.max(blockSize, codec == null ? 0 : codec.maxCompressedLength(blockSize));
  }

  /** A block on its way through the pipeline, with its reusable buffers. */
  final class Job {
    final byte[] data = new byte[blockSize];
    byte[] packed = new byte[codec == null ? 0 : codec.maxCompressedLength(blockSize)];
    final byte[] hash = new byte[Format.HASH_SIZE];
    int length;
    int packedLength;
    BlockKind kind;
    int crc;
    /** XOR delta: the parent's bytes to XOR with (null for ordinary blocks) and the transform's shape. */
    byte[] base;
    XorPayload xor;

    /** Runs on a worker (or the writer thread): zero detection, checksums, compression. */
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
      } catch (DigestException e) {
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
  }
}
