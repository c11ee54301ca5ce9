package io.hexz.fuse;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.Struct;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.byref.PointerByReference;
import jnr.ffi.types.size_t;

/**
 * libfuse2's request loop, run by a fixed set of named JVM threads ({@code hexz-fuse-N}).
 *
 * <p>Why not libfuse's own loops: jnr-fuse only offers {@code fuse_main_real}. Its single-threaded
 * loop serves one request at a time, so one slow read (a cache miss on a remote snapshot, an
 * fsync of the overlay) stalls every other. Its multithreaded loop grows and shrinks a pool of
 * native threads, and jnr attaches each new one to the JVM and detaches it again, which measured
 * slower than one thread. Here libfuse sets up the mount ({@code fuse_setup}: options, mount,
 * signal handlers) and N Java threads, which never leave the JVM, each receive and process
 * requests ({@code fuse_session_receive_buf} / {@code fuse_session_process_buf}), as libfuse's
 * multithreaded workers do. Unmounting wakes every reader of /dev/fuse with ENODEV, so all of
 * them end; then {@code fuse_teardown} unmounts (if still mounted) and destroys the session.
 *
 * <p>Thread-safety: {@link #run} blocks its caller until unmounted; call it once per file system.
 */
final class WorkerLoop {
  /** {@code struct fuse_buf} on LP64: size_t size; enum flags; void *mem; int fd; off_t pos. */
  private static final int FUSE_BUF_BYTES = 40;
  private static final int EINTR = 4;

  /** The libfuse 2.9 calls the loop needs (jnr-fuse declares only fuse_main_real). */
  public interface Libfuse2 {
    Pointer fuse_setup(int argc, String[] argv, ru.serce.jnrfuse.struct.FuseOperations op, @size_t long opSize,
        PointerByReference mountpoint, IntByReference multithreaded, Pointer userData);

    Pointer fuse_get_session(Pointer fuse);

    Pointer fuse_session_next_chan(Pointer se, Pointer ch);

    @size_t long fuse_chan_bufsize(Pointer ch);

    int fuse_session_receive_buf(Pointer se, Pointer buf, Pointer chp);

    void fuse_session_process_buf(Pointer se, Pointer buf, Pointer ch);

    int fuse_session_exited(Pointer se);

    void fuse_session_exit(Pointer se);

    void fuse_teardown(Pointer fuse, Pointer mountpoint);
  }

  private static final class Holder {
    static final Libfuse2 LIB = LibraryLoader.create(Libfuse2.class).failImmediately().load("libfuse.so.2");
  }

  private WorkerLoop() {}

  /**
   * Mounts {@code fs} with libfuse arguments {@code argv} (argv[0] a program name, then "-f",
   * the mount point and options) and serves it with {@code threads} threads until unmounted.
   *
   * @return 0 after a clean unmount, 1 when the mount failed, -1 when a worker hit an error
   */
  static int run(FuseFs fs, List<String> argv, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads (" + threads + ") must be >= 1");
    }
    Libfuse2 lib = Holder.LIB;
    PointerByReference mountpoint = new PointerByReference();
    IntByReference multithreaded = new IntByReference();
    Pointer fuse = lib.fuse_setup(argv.size(), argv.toArray(new String[0]), fs.operations(),
        Struct.size(fs.operations()), mountpoint, multithreaded, null);
    if (fuse == null) {
      return 1;
    }
    Pointer se = lib.fuse_get_session(fuse);
    Pointer ch = lib.fuse_session_next_chan(se, null);
    long bufSize = lib.fuse_chan_bufsize(ch);
    AtomicInteger status = new AtomicInteger();
    List<Thread> workers = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      Thread t = new Thread(() -> serve(lib, se, ch, bufSize, status), "hexz-fuse-" + i);
      t.start();
      workers.add(t);
    }
    boolean interrupted = false;
    for (Thread t : workers) {
      while (t.isAlive()) {
        try {
          t.join();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    lib.fuse_teardown(fuse, mountpoint.getValue());
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return status.get();
  }

  /** One worker: a request buffer of its own, receive and process until the session ends. */
  private static void serve(Libfuse2 lib, Pointer se, Pointer ch, long bufSize, AtomicInteger status) {
    Runtime rt = Runtime.getRuntime(lib);
    Pointer mem = Memory.allocateDirect(rt, bufSize);
    Pointer buf = Memory.allocateDirect(rt, FUSE_BUF_BYTES);
    Pointer chp = Memory.allocateDirect(rt, 8); // struct fuse_chan **: in and out
    while (lib.fuse_session_exited(se) == 0) {
      buf.putLong(0, bufSize);
      buf.putInt(8, 0);
      buf.putPointer(16, mem);
      buf.putInt(24, 0);
      buf.putLong(32, 0);
      chp.putPointer(0, ch);
      int res = lib.fuse_session_receive_buf(se, buf, chp);
      if (res == -EINTR) {
        continue;
      }
      if (res <= 0) {
        // 0: the mount is gone (ENODEV); below 0: /dev/fuse failed, so end the session for all.
        if (res < 0) {
          status.set(-1);
          lib.fuse_session_exit(se);
        }
        break;
      }
      // Callbacks run through Errno.guard, so no exception comes back out of native code.
      lib.fuse_session_process_buf(se, buf, chp.getPointer(0));
    }
  }
}
