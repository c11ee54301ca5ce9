package io.hexz.fuse;

import io.hexz.read.BlockDevice;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A live FUSE mount: starts libfuse's loop on a named thread, returns only once the kernel lists
 * the mount and a stat of the mount point is answered (a probe, not a sleep), and unmounts
 * cleanly. Thread-safe; {@link #close} is idempotent and bounded in time.
 */
public final class FuseMount implements Closeable {
  private static final System.Logger LOG = System.getLogger(FuseMount.class.getName());
  private static final long PROBE_TIMEOUT_MS = 20_000;

  private final Path mountPoint;
  private final FuseFs fs;
  private final List<Closeable> resources;
  private final CompletableFuture<Void> loop = new CompletableFuture<>();
  private volatile boolean closed;

  private FuseMount(Path mountPoint, FuseFs fs, List<Closeable> resources) {
    this.mountPoint = mountPoint;
    this.fs = fs;
    this.resources = resources;
  }

  /**
   * Mounts {@code fs} at {@code mnt}. On failure the resources are closed and a one-line
   * IOException says why.
   */
  static FuseMount start(Path mnt, FuseFs fs, String fsName, List<String> fuseArgs, boolean debug, int threads,
      List<Closeable> resources) throws IOException {
    Path mp = mnt.toAbsolutePath().normalize();
    FuseMount m = new FuseMount(mp, fs, new ArrayList<>(resources));
    try {
      precheck(mp);
      // The arguments jnr-fuse's own mount would pass: program name, foreground, mount point, options.
      List<String> argv = new ArrayList<>(List.of("hexz", "-f"));
      if (debug) {
        argv.add("-d");
      }
      argv.add(mp.toString());
      argv.addAll(fuseArgs);
      Thread t = new Thread(() -> {
        try {
          int rc = WorkerLoop.run(fs, argv, threads);
          if (rc == 1) {
            m.loop.completeExceptionally(new IOException("libfuse could not mount"));
          } else {
            m.loop.complete(null);
          }
        } catch (Throwable e) {
          m.loop.completeExceptionally(e);
        }
      }, "hexz-fuse-loop");
      t.setDaemon(false);
      t.start();
      m.awaitMounted(fsName);
      return m;
    } catch (IOException | RuntimeException e) {
      m.closeResources();
      throw e;
    }
  }

  private static void precheck(Path mp) throws IOException {
    if (!Files.exists(Path.of("/dev/fuse"))) {
      throw new IOException("/dev/fuse: missing (load the fuse module, or give the container --device /dev/fuse)");
    }
    if (!Files.isDirectory(mp)) {
      throw new IOException(mp + ": mount point is not a directory");
    }
    if (MountTable.isFuseMounted(mp)) {
      throw new IOException(mp + ": already a mount point (busy); unmount it first");
    }
    try (var s = Files.list(mp)) {
      if (s.findAny().isPresent()) {
        throw new IOException(mp + ": mount point is not empty");
      }
    }
  }

  private void awaitMounted(String fsName) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PROBE_TIMEOUT_MS);
    while (System.nanoTime() < deadline) {
      if (loop.isDone()) {
        throw new IOException(mountPoint + ": mount failed" + cause());
      }
      for (MountTable.Entry e : MountTable.fuseMountsAt(mountPoint)) {
        if (e.source().equals(fsName) && answers()) {
          return;
        }
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(mountPoint + ": interrupted while mounting");
      }
    }
    run("fusermount", "-u", "-z", mountPoint.toString());
    throw new IOException(mountPoint + ": mount did not answer within " + PROBE_TIMEOUT_MS / 1000 + " s");
  }

  private String cause() {
    try {
      loop.getNow(null);
      return " (see libfuse's message above)";
    } catch (Exception e) {
      Throwable c = e.getCause() == null ? e : e.getCause();
      return ": " + c.getMessage() + (c.getCause() != null ? " (" + c.getCause().getMessage() + ")" : "");
    }
  }

  /** stat(mountPoint) answered by our getattr("/") within a bound (a stuck daemon would block). */
  private boolean answers() {
    CompletableFuture<Boolean> f = CompletableFuture.supplyAsync(() -> Files.isDirectory(mountPoint),
        r -> {
          Thread t = new Thread(r, "hexz-mount-probe");
          t.setDaemon(true);
          t.start();
        });
    try {
      return f.get(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException e) {
      return false;
    }
  }

  public Path mountPoint() {
    return mountPoint;
  }

  /** Blocks until the file system is unmounted (from here or from outside), then releases resources. */
  public void awaitUnmounted() throws IOException {
    try {
      loop.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      LOG.log(System.Logger.Level.WARNING, "FUSE loop ended with {0}", e.getCause().toString());
    } finally {
      closeResources();
    }
  }

  /** Unmounts (fusermount -u, then lazily if busy) and waits up to 30 s for the loop to end. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    if (!loop.isDone()) {
      if (run("fusermount", "-u", mountPoint.toString()) != 0 && run("umount", mountPoint.toString()) != 0) {
        run("fusermount", "-u", "-z", mountPoint.toString());
      }
      try {
        loop.get(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        LOG.log(System.Logger.Level.WARNING, "{0}: FUSE loop did not end cleanly: {1}", mountPoint, e.toString());
      }
    }
    closeResources();
  }

  private static int run(String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
      return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private synchronized void closeResources() {
    if (closed) {
      return;
    }
    closed = true;
    IOException first = null;
    // Only block-file mounts have devices to flush; a tree mount is read-only.
    for (BlockDevice d : fs instanceof HexzFs ? ((HexzFs) fs).devices() : List.<BlockDevice>of()) {
      try {
        d.flush();
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    for (Closeable c : resources) {
      try {
        c.close();
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      LOG.log(System.Logger.Level.WARNING, "closing {0}: {1}", mountPoint, first.toString());
    }
  }
}
