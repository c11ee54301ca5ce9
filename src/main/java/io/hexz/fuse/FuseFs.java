package io.hexz.fuse;

import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FuseOperations;

/**
 * A jnr-fuse file system that {@link WorkerLoop} can serve: it hands out jnr-fuse's table of
 * callbacks, so the loop can give it to libfuse itself. Thread-safety is the subclass's.
 */
abstract class FuseFs extends FuseStubFS {
  /** The native {@code struct fuse_operations} jnr-fuse filled in for this file system. */
  final FuseOperations operations() {
    return fuseOperations;
  }

  /**
   * Whether the process behind the current request runs as root. The kernel hides the values of
   * {@code trusted.*} xattrs from everyone else, but a FUSE listxattr must leave their names out
   * itself (as ext4 does). Only valid inside a callback.
   */
  final boolean callerIsRoot() {
    return getContext().uid.get() == 0;
  }
}
