package io.hexz.cli;

import io.hexz.Hexz;
import io.hexz.codec.CodecType;
import io.hexz.format.Header;
import io.hexz.read.ReadOptions;
import io.hexz.read.Snapshots;
import io.hexz.write.WriteOptions;
import io.hexz.write.WriteStats;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code hexz commit --base BASE --overlay OVL -o OUT [--thin]}: overlay → snapshot. */
@Command(name = "commit", mixinStandardHelpOptions = true,
    description = "Merge an overlay into a new snapshot: full, or thin (changed blocks + a reference to BASE).")
final class CommitCommand implements Callable<Integer> {
  @Option(names = "--base", required = true, paramLabel = "BASE", description = "the snapshot the overlay was made over")
  Path base;

  @Option(names = "--overlay", required = true, paramLabel = "OVERLAY", description = "the overlay file")
  Path overlay;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "snapshot to write")
  Path out;

  @Option(names = "--thin", description = "store only the changed blocks; OUT references BASE")
  boolean thin;

  @Option(names = "--compression", paramLabel = "CODEC", description = "lz4, zstd or none (default: the base's)")
  String compression;

  @Option(names = "--level", paramLabel = "N", description = "codec level (default: the base's)")
  Integer level;

  @Mixin
  ParentDirs parentDirs;

  @Option(names = {"-q", "--quiet"}, description = "no progress bar")
  boolean quiet;

  @picocli.CommandLine.Mixin
  BootTraceFlag bootTrace;

  @Option(names = "--debug", description = "stack traces on errors")
  boolean debug;

  @Override
  public Integer call() throws Exception {
    if (!Files.exists(overlay)) {
      throw new NoSuchFileException(overlay.toString(), null, "overlay does not exist");
    }
    Header h = Snapshots.readHeader(base);
    CodecType c = compression == null ? h.codec() : CodecType.parse(compression);
    WriteOptions.Builder b = WriteOptions.builder().blockSize(h.blockSize()).codec(c)
        .level(level != null ? level : compression == null ? h.level() : (c == CodecType.ZSTD ? 3 : 0))
        .source(overlay.getFileName().toString()).bootTrace(bootTrace.load());
    ReadOptions ro = ReadOptions.DEFAULTS.withCacheBytes(64L << 20).withPrefetch(true).withParentDirs(parentDirs.get());
    long start = System.nanoTime();
    WriteStats st;
    try (Progress p = Progress.start("commit", Files.size(base) > 0 ? Snapshots.readHeader(base).streams().values()
        .stream().mapToLong(d -> d.size()).sum() : 0, quiet)) {
      b.progress(p.listener());
      st = Hexz.commit(base, overlay, out, thin, b, ro);
    }
    System.out.printf("%s: %s %s snapshot, %s on disk, %d blocks stored, %d from the base, in %.1f s%n", out,
        Human.bytes(st.logicalBytes()), thin ? "thin" : "full", Human.bytes(st.fileBytes()), st.storedBlocks(),
        st.parentBlocks(), (System.nanoTime() - start) / 1e9);
    return 0;
  }
}
