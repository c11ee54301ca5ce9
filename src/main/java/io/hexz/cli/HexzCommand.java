package io.hexz.cli;

import io.hexz.write.Version;
import picocli.CommandLine.Command;

/** The top-level {@code hexz} command: only subcommands. */
@Command(name = "hexz", mixinStandardHelpOptions = true, versionProvider = HexzCommand.VersionProvider.class,
    description = "Compressed, deduplicated, block-indexed snapshots with random access.",
    subcommands = {BuildCommand.class, InspectCommand.class, VerifyCommand.class, AnalyzeCommand.class,
        CatCommand.class, MountCommand.class, UnmountCommand.class,
        CommitCommand.class, FlattenCommand.class, DiffCommand.class, KeygenCommand.class, SignCommand.class,
        LsCommand.class, ExtractCommand.class})
final class HexzCommand implements Runnable {

  @Override
  public void run() {
    throw new Errors.UsageException("missing command (try 'hexz --help')");
  }

  static final class VersionProvider implements picocli.CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"hexz " + Version.VERSION + " (format 1.0, Java " + Runtime.version() + ")"};
    }
  }
}
