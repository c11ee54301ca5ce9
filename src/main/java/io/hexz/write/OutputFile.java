package io.hexz.write;

import io.hexz.read.Pools;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The temporary file a snapshot is written into, beside its target: payloads, pages and metadata
 * are appended after the header's space, the header goes to offset 0 last, and only then is the
 * file forced and renamed over the target ({@link #install}). Until then the target is untouched,
 * and {@link #close} removes the temporary file.
 *
 * <p>Failure is sticky: the first write or writeback error fails the file for good. The
 * background fsync's result is read, since Linux reports a writeback error only once per open
 * file: after the background fsync has seen it the final one succeeds, and a file with lost pages
 * must still never be renamed into place.
 *
 * <p>Concurrency: one writer thread; the only other thread is {@code hexz-writeback}, which runs
 * one {@code force} at a time and is waited for before the channel closes.
 */
final class OutputFile {
  /** Bytes between background writebacks of the output. */
  static final long FLUSH_EVERY = 64L << 20;

  /** Opens the temporary output file; tests substitute one that injects I/O errors. */
  interface Opener {
    FileChannel open(Path temp) throws IOException;
  }

  private final Path target;
  private final Path temp;
  private final FileChannel out;
  private final long flushEvery;
  private final ExecutorService flusher = Executors.newSingleThreadExecutor(Pools.named("hexz-writeback"));
  private Future<?> pendingFlush;
  private long flushedTo;
  private long pos = io.hexz.format.Format.HEADER_SIZE;
  /** The first write or writeback error (see the class comment). */
  private IOException failure;
  private boolean installed;

  private OutputFile(Path target, Path temp, FileChannel out, long flushEvery) {
    this.target = target;
    this.temp = temp;
    this.out = out;
    this.flushEvery = flushEvery;
  }

  /** Creates the temporary file beside {@code target} and opens it; leaves nothing behind if that fails. */
  static OutputFile create(Path target, Opener opener, long flushEvery) throws IOException {
    // createTempFile makes the file owner-only: it stays so while written, and gets its mode
    // (FileModes) just before it is renamed into place.
    Path temp = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", ".hexz-tmp");
    try {
      return new OutputFile(target, temp, opener.open(temp), flushEvery);
    } catch (IOException | RuntimeException | Error e) {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException | RuntimeException x) {
        e.addSuppressed(x);
      }
      throw e;
    }
  }

  /** The temporary file's path, for messages. */
  Path temp() {
    return temp;
  }

  /** Where the next append lands: the file's length so far. */
  long position() {
    return pos;
  }

  /** Appends {@code b} whole; starts a background writeback every {@code flushEvery} bytes. */
  void append(ByteBuffer b) throws IOException {
    checkNotFailed();
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

  /** Reads back appended bytes at {@code at} until {@code dst} is full; false if the file ends first. */
  boolean readBack(ByteBuffer dst, long at) throws IOException {
    while (dst.hasRemaining()) {
      if (out.read(dst, at + dst.position()) < 0) {
        return false;
      }
    }
    return true;
  }

  /** Waits for the background writeback in progress, if any, and fails the file if it failed. */
  void awaitWriteback() throws IOException {
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
    checkNotFailed();
  }

  /** Throws the recorded failure, if any. */
  void checkNotFailed() throws IOException {
    if (failure != null) {
      throw new IOException(failure.getMessage(), failure);
    }
  }

  /** Records the first I/O error on the output; returns it, naming the file. */
  private IOException failed(IOException e) {
    if (failure == null) {
      failure = new IOException(target + ": writing " + temp.getFileName() + " failed, nothing was replaced: "
          + e.getMessage(), e);
    }
    return failure;
  }

  /**
   * Writes {@code header} at offset 0, forces and closes the file, gives it its mode and renames it
   * over the target. The file is then the target's, and {@link #close} leaves it.
   */
  void install(ByteBuffer header, Set<PosixFilePermission> maxPermissions) throws IOException {
    try {
      while (header.hasRemaining()) {
        out.write(header, header.position());
      }
      out.force(true);
      out.close(); // close reports a deferred write error on some file systems (NFS)
    } catch (IOException e) {
      throw failed(e);
    }
    FileModes.apply(temp, maxPermissions);
    replace(temp, target);
    installed = true;
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

  /** Stops the writeback, closes the channel and, unless installed, deletes the temporary file. */
  void close() throws IOException {
    flusher.shutdown();
    try {
      // out.close() below must not race a force() still running on the flusher.
      flusher.awaitTermination(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      out.close();
    } finally {
      if (!installed) {
        Files.deleteIfExists(temp);
      }
    }
  }
}
