package io.hexz.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hexz.format.Checksums;
import io.hexz.overlay.Overlay;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hexz overlay info|compact|resize FILE}: look into, shrink or resize a writable mount's overlay, offline. */
@Command(name = "overlay", mixinStandardHelpOptions = true,
    description = "Inspect, compact or resize an overlay file (the writes of a --rw mount or serve) while it is not "
        + "in use.",
    subcommands = {OverlayCommand.Info.class, OverlayCommand.Compact.class, OverlayCommand.Resize.class})
final class OverlayCommand implements Runnable {
  @Override
  public void run() {
    throw new Errors.UsageException("missing command: overlay info FILE, overlay compact FILE or overlay resize FILE SIZE");
  }

  /** The output flags of the commands that change an overlay: they report the state after the change. */
  static final class Output {
    @Option(names = "--json", description = "print JSON (the overlay's state afterwards)")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "print nothing")
    boolean quiet;

    @Option(names = "--debug", description = "stack traces on errors")
    boolean debug;
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
      n.put("baseSize", o.baseSize());
      n.put("storedPages", stored);
      n.put("discardedPages", discarded);
      n.put("liveBytes", live);
      n.put("logBytes", log);
      n.put("slackBytes", slackBytes);
      n.put("fileBytes", fileBytes);
      n.put("baseIdentity", Checksums.hex(o.baseIdentity()));
      System.out.println(Json.write(n));
    } else {
      String resized = o.size() == o.baseSize() ? "" : " (resized from " + Human.bytes(o.baseSize()) + ")";
      System.out.printf("%s: %s disk%s over snapshot %s…%n  %d pages stored (%s live), %d discarded; log %s, "
          + "file %s, slack %s%n", file, Human.bytes(o.size()), resized,
          Checksums.hex(o.baseIdentity()).substring(0, 16), stored, Human.bytes(live), discarded, Human.bytes(log), Human.bytes(fileBytes), Human.bytes(slackBytes));
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

    @Mixin
    Output out;

    @Override
    public Integer call() throws Exception {
      try (Overlay o = open(file)) {
        long before = Files.size(file);
        o.compact();
        if (out.json) {
          describe(o, file, true);
        } else if (!out.quiet) {
          System.out.printf("%s: %s -> %s%n", file, Human.bytes(before), Human.bytes(Files.size(file)));
        }
      }
      return 0;
    }
  }

  @Command(name = "resize", mixinStandardHelpOptions = true,
      description = "Grow the disk to SIZE (or by +SIZE): the new range reads zeros, and commit and flatten carry "
          + "the new size. Shrinking is refused unless --shrink is given: the data past the new end is lost. "
          + "SIZE is a multiple of 4096 (or the base snapshot's size). A mounted disk grows with truncate(1) on "
          + "MNT/disk.")
  static final class Resize implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "the overlay file (not in use)")
    Path file;

    @Parameters(index = "1", paramLabel = "SIZE", description = "the new size (4096, 64M, 20G) or +SIZE to grow by")
    String size;

    @Option(names = "--shrink", description = "allow a smaller size, dropping the data past the new end for good")
    boolean shrink;

    @Mixin
    Output out;

    @Override
    public Integer call() throws Exception {
      boolean relative = size.startsWith("+");
      long n;
      try {
        n = Sizes.parse(relative ? size.substring(1) : size);
      } catch (IllegalArgumentException e) {
        throw new Errors.UsageException("SIZE: " + e.getMessage());
      }
      try (Overlay o = open(file)) {
        long before = o.size();
        long target = relative ? Math.addExact(before, n) : n;
        if (target < before && !shrink) {
          throw new Errors.UsageException(file + ": shrinking the disk from " + before + " to " + target
              + " bytes drops the data past the new end; give --shrink to do it anyway");
        }
        try {
          o.resize(target, shrink);
        } catch (IllegalArgumentException e) {
          throw new Errors.UsageException(file + ": " + e.getMessage());
        }
        if (out.json) {
          describe(o, file, true);
        } else if (!out.quiet) {
          System.out.printf("%s: disk %s -> %s%n", file, Human.bytes(before), Human.bytes(o.size()));
        }
      }
      return 0;
    }
  }
}
