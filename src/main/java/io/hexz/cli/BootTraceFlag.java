package io.hexz.cli;

import io.hexz.format.BootTrace;
import io.hexz.format.CorruptSnapshotException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --boot-trace FILE} of build, commit and flatten: the trace whose blocks go first and become the plan. */
final class BootTraceFlag {
  @Option(names = "--boot-trace", paramLabel = "FILE", description = "a block trace (mount --record-trace): its "
      + "blocks are laid out first, in first-read order, and kept as the prefetch plan every mount loads first")
  Path file;

  /** The trace, or null without the flag; checked (size first, then the format). */
  BootTrace load() throws IOException {
    if (file == null) {
      return null;
    }
    long max = 56 + 16L * BootTrace.MAX_ENTRIES;
    long size = Files.size(file);
    if (size > max) {
      throw new CorruptSnapshotException(file.toString(), "block trace of " + size + " bytes is larger than any ("
          + max + ")");
    }
    return BootTrace.decode(file.toString(), Files.readAllBytes(file));
  }
}
