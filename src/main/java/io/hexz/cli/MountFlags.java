package io.hexz.cli;

import io.hexz.fuse.MountOptions;
import io.hexz.store.RemoteOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The flags of {@code hexz mount} that say how a snapshot is served (a picocli mixin), and their
 * checks: {@link #options} turns them into {@link MountOptions} or refuses a bad combination
 * with the flags' names.
 */
final class MountFlags {
  /** --rw, --overlay, --cache-size, --no-prefetch, --no-boot-prefetch, --parent-dir: shared with serve. */
  @Mixin
  DiskFlags disk;

  @Option(names = "--record-trace", paramLabel = "FILE", description = "record which blocks are read first, in "
      + "order, into FILE (written every few seconds and at unmount), for build --boot-trace")
  Path recordTrace;

  @Option(names = "--uid", paramLabel = "UID", description = "owner shown for the files, who may write a --rw disk"
      + " (default: you; a directory snapshot: its stored owners)")
  long uid = -1;

  @Option(names = "--gid", paramLabel = "GID",
      description = "group shown for the files (default: yours; a directory snapshot: its stored groups)")
  long gid = -1;

  @Option(names = "--allow-other", description = "let other users access the mount, as the modes shown allow")
  boolean allowOther;

  @Option(names = "-o", paramLabel = "OPT", description = "FUSE mount option passed through (repeatable)")
  List<String> fuseOptions = new ArrayList<>();

  @Option(names = "--fuse-threads", paramLabel = "N",
      description = "threads serving FUSE requests (default: ${DEFAULT-VALUE}; 1..64)")
  int fuseThreads = MountOptions.DEFAULT_THREADS;

  @Option(names = "--single-threaded", description = "one FUSE thread: requests are served one at a time")
  boolean singleThreaded;

  @Option(names = "--multi-threaded", hidden = true, description = "the default pool of FUSE threads (kept for scripts)")
  boolean multiThreaded;

  @Option(names = "--debug", description = "libfuse debug output and stack traces")
  boolean debug;

  /**
   * The mount options these flags give, with {@code remote}.
   *
   * @throws Errors.UsageException for a combination of flags that does not go together
   */
  MountOptions options(RemoteOptions remote) {
    Path overlay = disk.overlay();
    List<String> opts = new ArrayList<>();
    for (String o : fuseOptions) {
      for (String part : o.split(",")) {
        if (!part.isBlank()) {
          opts.add(part.trim());
        }
      }
    }
    if (singleThreaded && multiThreaded) {
      throw new Errors.UsageException("--single-threaded and --multi-threaded exclude each other");
    }
    if (fuseThreads < 1 || fuseThreads > MountOptions.MAX_THREADS) {
      throw new Errors.UsageException("--fuse-threads " + fuseThreads + ": must be 1.." + MountOptions.MAX_THREADS);
    }
    if (singleThreaded && fuseThreads != MountOptions.DEFAULT_THREADS && fuseThreads != 1) {
      throw new Errors.UsageException("--single-threaded and --fuse-threads " + fuseThreads + " exclude each other");
    }
    int threads = singleThreaded ? 1 : fuseThreads;
    return MountOptions.builder().overlay(overlay).uid(uid).gid(gid)
        .allowOther(allowOther).fuseOptions(opts).debug(debug).threads(threads).read(disk.read(remote))
        .bootPrefetch(!disk.noBootPrefetch).recordTrace(recordTrace == null ? null : recordTrace.toAbsolutePath()).build();
  }
}
