package io.hexz.cli;

import picocli.CommandLine;

/** Entry point of the {@code hexz} command; the only place that exits the JVM. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    int code = run(args);
    System.out.flush();
    System.exit(code);
  }

  /** Runs a command line and returns its exit code (for tests). */
  public static int run(String... args) {
    boolean debug = java.util.Arrays.asList(args).contains("--debug");
    // A background thread that dies (a warm-up thread out of memory while Argon2 fills the heap)
    // would otherwise print its stack trace; one line, naming the thread, and the stack only with
    // --debug. The command's own outcome is reported by the command.
    Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
      System.err.println(Errors.line("thread " + t.getName() + " failed: "
          + (e instanceof Error err ? Errors.describeError(err) : Errors.describe(e))));
      if (debug) {
        e.printStackTrace();
      }
    });
    CommandLine cl = new CommandLine(new HexzCommand());
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setExecutionExceptionHandler(new Errors());
    cl.setParameterExceptionHandler((e, a) -> {
      e.getCommandLine().getErr().println(Errors.line(e.getMessage()));
      e.getCommandLine().getErr().println("Try 'hexz " + e.getCommandLine().getCommandName()
          .replace("hexz", "").trim() + " --help'.".replace("hexz  --", "hexz --"));
      return 2;
    });
    try {
      return cl.execute(args);
    } catch (Error e) {
      // picocli hands only Exceptions to Errors; an Error (out of memory, a stack overflow) would
      // end the JVM with a stack trace whose last frame a background mount took for the reason.
      cl.getErr().println(Errors.line(Errors.describeError(e)));
      if (debug) {
        e.printStackTrace(cl.getErr());
      }
      cl.getErr().flush();
      return 1;
    }
  }
}
