package io.hexz.cli;

import io.hexz.Hexz;
import io.hexz.read.ReadOptions;
import io.hexz.write.WriteStats;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hexz flatten THIN -o OUT}: a self-contained copy. */
@Command(name = "flatten", mixinStandardHelpOptions = true,
    description = "Write a self-contained snapshot with the same content as a thin one (no parent).")
final class FlattenCommand implements Callable<Integer> {
  @Parameters(paramLabel = "SNAP")
  Path snap;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT")
  Path out;

  @Mixin
  ParentDirs parentDirs;

  @Mixin
  PasswordFlags passwords;

  @Option(names = {"-q", "--quiet"}, description = "no progress bar")
  boolean quiet;

  @Mixin
  BootTraceFlag bootTrace;

  @Option(names = "--debug", description = "stack traces on errors")
  boolean debug;

  @Override
  public Integer call() throws Exception {
    WriteStats st;
    io.hexz.format.BootTrace trace = bootTrace.load();
    long total = io.hexz.read.Snapshots.readHeader(snap).streams().values().stream().mapToLong(d -> d.size()).sum();
    // The copy of an encrypted snapshot is encrypted with the same password (Hexz.flatten).
    try (io.hexz.crypto.Secret pw = passwords.read(); Progress p = Progress.start("flatten", total, quiet)) {
      ReadOptions ro = ReadOptions.DEFAULTS.withCacheBytes(64L << 20).withParentDirs(parentDirs.get()).withPassword(pw);
      st = Hexz.flatten(snap, out, b -> b.progress(p.listener()).bootTrace(trace), ro);
    }
    System.out.printf("%s: %s, %s on disk%n", out, Human.bytes(st.logicalBytes()), Human.bytes(st.fileBytes()));
    return 0;
  }
}
