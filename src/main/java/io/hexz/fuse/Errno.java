package io.hexz.fuse;

import java.nio.ReadOnlyBufferException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.Callable;
import ru.serce.jnrfuse.ErrorCodes;

/**
 * The one place where Java exceptions become errno values at the FUSE boundary. Every callback
 * runs through {@link #guard}, so no exception or error ever reaches native code. Stateless.
 */
final class Errno {
  private static final System.Logger LOG = System.getLogger(Errno.class.getName());

  private Errno() {}

  /** Runs a callback body; returns its result, or a negative errno for anything it throws. */
  static int guard(String op, String path, Callable<Integer> body) {
    try {
      return body.call();
    } catch (Throwable t) {
      int errno = of(t);
      // Damaged data is logged with the snapshot and block (the exception message names both).
      System.Logger.Level level = errno == ErrorCodes.EIO() ? System.Logger.Level.ERROR : System.Logger.Level.DEBUG;
      LOG.log(level, "{0} {1}: {2} -> errno {3}", op, path, t.toString(), errno);
      if (t instanceof VirtualMachineError && !(t instanceof OutOfMemoryError)) {
        // StackOverflowError and friends: still never thrown into native code.
        return -ErrorCodes.EIO();
      }
      return -errno;
    }
  }

  /** The errno for an exception (positive). */
  static int of(Throwable t) {
    if (t instanceof java.io.UncheckedIOException && t.getCause() != null) {
      t = t.getCause(); // a stream or lambda wrapped it; the errno is the IOException's
    }
    if (t instanceof FuseError) {
      return ((FuseError) t).errno;
    }
    if (t instanceof NoSuchFileException) {
      return ErrorCodes.ENOENT();
    }
    if (t instanceof AccessDeniedException) {
      return ErrorCodes.EACCES();
    }
    if (t instanceof ReadOnlyBufferException) {
      return ErrorCodes.EROFS();
    }
    if (t instanceof IllegalArgumentException) {
      return ErrorCodes.EINVAL();
    }
    if (t instanceof OutOfMemoryError) {
      return ErrorCodes.ENOMEM();
    }
    return ErrorCodes.EIO(); // damage (SnapshotException, OverlayException) and everything else
  }

  /** A callback's deliberate errno result (ENOENT, EISDIR...). */
  static final class FuseError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int errno;

    FuseError(int errno, String what) {
      super(what, null, false, false);
      this.errno = errno;
    }
  }
}
