package io.hexz.cli;

import io.hexz.fuse.MountOptions;
import io.hexz.read.ReadOptions;
import io.hexz.store.RemoteOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The flags {@code hexz mount} and {@code hexz serve} share (a picocli mixin of both): whether the
 * disk is writable through an overlay, and how snapshots are read (cache, prefetch, where parents
 * are). Declared once so that both commands spell, describe and check them alike.
 */
final class DiskFlags {
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

  @Option(names = "--parent-dir", paramLabel = "DIR", description = "where to look for parents of thin snapshots")
  List<Path> parentDirs = new ArrayList<>();

  /**
   * The overlay made absolute, or null for a read-only disk.
   *
   * @throws Errors.UsageException unless --rw and --overlay are given together
   */
  Path overlay() {
    if (rw != (overlay != null)) {
      throw new Errors.UsageException(rw ? "--rw needs --overlay FILE" : "--overlay needs --rw");
    }
    return overlay == null ? null : overlay.toAbsolutePath();
  }

  /** The read options these flags give, with {@code remote}. */
  ReadOptions read(RemoteOptions remote) {
    return ReadOptions.builder().cacheBytes(cacheSize).prefetch(!noPrefetch)
        .parentDirs(parentDirs.stream().map(Path::toAbsolutePath).toList()).remote(remote).build();
  }
}
