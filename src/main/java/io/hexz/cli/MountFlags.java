package io.hexz.cli;

import io.hexz.fuse.MountOptions;
import io.hexz.read.ReadOptions;
import io.hexz.store.RemoteOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The flags of {@code hexz mount} that say how a snapshot is served (a picocli mixin), and their
 * checks: {@link #options} turns them into {@link MountOptions} or refuses a bad combination
 * with the flags' names.
 */
final class MountFlags {
  @Option(names = "--rw", description = "writable disk: writes go to the --overlay file")
  boolean rw;

  @Option(names = "--overlay", paramLabel = "FILE", description = "copy-on-write overlay (created if missing)")
  Path overlay;

  @Option(names = "--cache-size", paramLabel = "SIZE", converter = Sizes.class,
      description = "block cache size (default 256M)")
  long cacheSize = MountOptions.DEFAULT_CACHE;

  @Option(names = "--no-prefetch", description = "no background reads ahead of sequential readers")
  boolean noPrefetch;

  @Option(names = "--no-boot-prefetch", description = "do not load the snapshot's prefetch plan (its boot trace's "
      + "blocks) from the start")
  boolean noBootPrefetch;

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

  @Option(names = "--parent-dir", paramLabel = "DIR", description = "where to look for parents of thin snapshots")
  List<Path> parentDirs = new ArrayList<>();

  @Option(names = "--debug", description = "libfuse debug output and stack traces")
  boolean debug;

  /**
   * The mount options these flags give, with {@code remote}.
   *
   * @throws Errors.UsageException for a combination of flags that does not go together
   */
  MountOptions options(RemoteOptions remote) {
    if (rw != (overlay != null)) {
      throw new Errors.UsageException(rw ? "--rw needs --overlay FILE" : "--overlay needs --rw");
    }
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
    ReadOptions read = ReadOptions.builder().cacheBytes(cacheSize).prefetch(!noPrefetch)
        .parentDirs(parentDirs.stream().map(Path::toAbsolutePath).toList()).remote(remote).build();
    return MountOptions.builder().overlay(overlay == null ? null : overlay.toAbsolutePath()).uid(uid).gid(gid)
        .allowOther(allowOther).fuseOptions(opts).debug(debug).threads(threads).read(read)
        .bootPrefetch(!noBootPrefetch).recordTrace(recordTrace == null ? null : recordTrace.toAbsolutePath()).build();
  }
}
