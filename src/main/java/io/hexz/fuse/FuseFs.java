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
}
