package io.hexz.cli;

import io.hexz.Hexz;
import io.hexz.read.ReadOptions;
import io.hexz.read.Snapshot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hexz extract SNAP [PATH...] -C DIR}: restores entries of a directory snapshot. */
@Command(name = "extract", mixinStandardHelpOptions = true,
    description = "Restore files of a directory snapshot (all, or the PATHs given) below DIR, with their metadata.")
final class ExtractCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "SNAP", description = "a path, http(s):// URL or s3://BUCKET/KEY")
  String snap;

  @Parameters(index = "1..*", paramLabel = "PATH", description = "entries to restore, from the snapshot's root (default: all)")
  List<String> paths = new ArrayList<>();

  @Option(names = "-C", paramLabel = "DIR", required = true, description = "destination directory (created if missing)")
  Path dest;

  @picocli.CommandLine.Mixin
  RemoteFlags remote;

  @picocli.CommandLine.Mixin
  ParentDirs parentDirs;

  @picocli.CommandLine.Mixin
  PasswordFlags passwords;

  @picocli.CommandLine.Mixin
  PublicKeyFlag publicKey;

  @Option(names = {"-q", "--quiet"}, description = "no summary line")
  boolean quiet;

  @Option(names = "--debug", description = "stack traces on errors")
  boolean debug;

  @Override
  public Integer call() throws Exception {
    for (String p : paths) {
      for (String c : p.split("/")) {
        if (c.equals("..")) {
          throw new Errors.UsageException(p + ": \"..\" is not allowed (paths are taken from the snapshot's root)");
        }
      }
    }
    long n;
    try (Snapshot s = passwords.open(snap, ReadOptions.DEFAULTS.withCacheBytes(128L << 20)
        .withParentDirs(parentDirs.get()).withRemote(remote.options()), publicKey)) {
      n = Hexz.extract(s, paths, dest, w -> System.err.println("hexz: warning: " + w));
    }
    if (!quiet) {
      System.out.printf("%s: %d entries restored below %s%n", snap, n, dest);
    }
    return 0;
  }
}
