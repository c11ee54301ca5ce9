package io.hexz.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hexz.format.Checksums;
import io.hexz.overlay.Overlay;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hexz overlay info|compact FILE}: look into and shrink a writable mount's overlay, offline. */
@Command(name = "overlay", mixinStandardHelpOptions = true,
    description = "Inspect or compact an overlay file (the writes of a --rw mount or serve) while it is not in use.",
    subcommands = {OverlayCommand.Info.class, OverlayCommand.Compact.class})
final class OverlayCommand implements Runnable {
  @Override
  public void run() {
    throw new Errors.UsageException("missing command: overlay info FILE or overlay compact FILE");
  }

  private static Overlay open(Path file) throws java.io.IOException {
    if (!Files.exists(file)) {
      throw new NoSuchFileException(file.toString(), null, "overlay does not exist");
    }
    return Overlay.openStandalone(file);
  }

  private static void describe(Overlay o, Path file, boolean json) throws java.io.IOException {
    long stored = o.storedPageCount();
    long discarded = o.pageCount() - stored;
    long live = stored * Overlay.PAGE_SIZE;
    long log = o.logBytes();
    long slackBytes = Math.max(0, log - live); // superseded copies and record headers
    long fileBytes = Files.size(file);
    if (json) {
      ObjectNode n = Json.object();
      n.put("file", file.toString());
      n.put("diskSize", o.size());
      n.put("storedPages", stored);
      n.put("discardedPages", discarded);
      n.put("liveBytes", live);
      n.put("logBytes", log);
      n.put("slackBytes", slackBytes);
      n.put("fileBytes", fileBytes);
      n.put("baseIdentity", Checksums.hex(o.baseIdentity()));
      System.out.println(Json.write(n));
    } else {
      System.out.printf("%s: %s disk over snapshot %s…%n  %d pages stored (%s live), %d discarded; log %s, "
          + "file %s, slack %s%n", file, Human.bytes(o.size()), Checksums.hex(o.baseIdentity()).substring(0, 16),
          stored, Human.bytes(live), discarded, Human.bytes(log), Human.bytes(fileBytes), Human.bytes(slackBytes));
    }
  }

  @Command(name = "info", mixinStandardHelpOptions = true,
      description = "Pages held, log and file size, slack (superseded copies) and the base snapshot's identity.")
  static final class Info implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "the overlay file")
    Path file;

    @Option(names = "--json", description = "print JSON")
    boolean json;

    @Option(names = "--debug", description = "stack traces on errors")
    boolean debug;

    @Override
    public Integer call() throws Exception {
      try (Overlay o = open(file)) {
        describe(o, file, json);
      }
      return 0;
    }
  }

  @Command(name = "compact", mixinStandardHelpOptions = true,
      description = "Rewrite the overlay with only the newest copy of each page (crash-safe: the old file stays "
          + "until the new one is complete). Mounted overlays compact themselves in the background.")
  static final class Compact implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "the overlay file (not in use)")
    Path file;

    @Option(names = "--json", description = "print JSON (the state after compaction)")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "print nothing")
    boolean quiet;

    @Option(names = "--debug", description = "stack traces on errors")
    boolean debug;

    @Override
    public Integer call() throws Exception {
      try (Overlay o = open(file)) {
        long before = Files.size(file);
        o.compact();
        if (json) {
          describe(o, file, true);
        } else if (!quiet) {
          System.out.printf("%s: %s -> %s%n", file, Human.bytes(before), Human.bytes(Files.size(file)));
        }
      }
      return 0;
    }
  }
}
