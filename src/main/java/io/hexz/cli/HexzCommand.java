package io.hexz.cli;

import io.hexz.write.Version;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.Command;

/** The top-level {@code hexz} command: only subcommands. */
@Command(name = "hexz", mixinStandardHelpOptions = true, versionProvider = HexzCommand.VersionProvider.class,
    description = "Compressed, deduplicated, block-indexed snapshots with random access.",
    subcommands = {BuildCommand.class, InspectCommand.class, VerifyCommand.class, AnalyzeCommand.class,
        CatCommand.class, MountCommand.class, UnmountCommand.class,
        CommitCommand.class, FlattenCommand.class, DiffCommand.class, KeygenCommand.class, SignCommand.class,
        LsCommand.class, ExtractCommand.class, ServeCommand.class, OverlayCommand.class})
final class HexzCommand implements Runnable {

  @Override
  public void run() {
    throw new Errors.UsageException("missing command (try 'hexz --help')");
  }

  static final class VersionProvider implements picocli.CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"hexz " + Version.VERSION + " (commit " + commit() + ", format 1.0, Java " + Runtime.version() + ")"};
    }

    /** The commit the build recorded in build.properties; "unknown" when built outside a git clone. */
    static String commit() {
      Properties p = new Properties();
      try (InputStream in = HexzCommand.class.getResourceAsStream("build.properties")) {
        if (in != null) {
          p.load(in);
        }
      } catch (IOException e) {
        return "unknown";
      }
      String c = p.getProperty("commit", "unknown");
      // an unfiltered placeholder means the classes were built by something other than Maven
      return c.isBlank() || c.startsWith("${") ? "unknown" : c;
    }
  }
}
