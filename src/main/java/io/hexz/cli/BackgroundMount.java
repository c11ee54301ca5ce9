package io.hexz.cli;

import io.hexz.fuse.MountTable;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts a mount in the background: runs this jar again as {@code hexz mount --foreground ...}
 * under {@code setsid}, with its output in the run directory's log ({@link RunDir#logFile}), and
 * returns once {@code /proc/self/mountinfo} lists a FUSE mount at the mount point whose source is
 * {@code hexz-<child pid>} and the child has written its pid file. If the child exits first, the
 * reason is the message of its last error line ({@link Errors#PREFIX}). Stateless.
 */
final class BackgroundMount {
  /** How long the child has to bring the mount up. */
  static final long START_SECONDS = 60;

  private BackgroundMount() {}

  /**
   * Starts the child with {@code jvmOptions} and {@code args} (after the main class) and waits
   * until its mount at {@code mp} is up.
   *
   * @throws IOException with the child's reason if it exited, or after {@link #START_SECONDS}
   */
  static void start(Path mp, List<String> jvmOptions, List<String> args) throws IOException, InterruptedException {
    String javaBin = ProcessHandle.current().info().command().orElse("java");
    String jar = new File(MountCommand.class.getProtectionDomain().getCodeSource().getLocation().getPath()).getPath();
    Path log = RunDir.logFile(mp);
    RunDir.writeNew(log, "");
    ProcessBuilder pb = new ProcessBuilder(command(javaBin, jar, jvmOptions, args));
    // glibc gives every thread that mallocs its own arena; libfuse's workers would each get one.
    pb.environment().put("MALLOC_ARENA_MAX", "2");
    Process p = pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
    String fsName = "hexz-" + p.pid();
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IOException(lastLine(log, mp + ": mount failed"));
      }
      for (MountTable.Entry e : MountTable.fuseMountsAt(mp)) {
        if (e.source().equals(fsName) && Files.exists(RunDir.pidFile(mp))) {
          return;
        }
      }
      Thread.sleep(10);
    }
    p.destroy();
    throw new IOException(mp + ": mount did not come up within " + START_SECONDS + " s (log: " + log + ")");
  }

  /** The child's command line: a new session, the JVM, its options, the jar's main class and {@code args}. */
  static List<String> command(String javaBin, String jar, List<String> jvmOptions, List<String> args) {
    List<String> cmd = new ArrayList<>(List.of("setsid", javaBin));
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-cp", jar, Main.class.getName()));
    cmd.addAll(args);
    return cmd;
  }

  /**
   * Why the mount process ended, in one line: the message of its last error line
   * ({@link Errors#PREFIX}, the contract between the two processes), else the last line of
   * the log that is not part of a stack trace (the JVM's "Exception in thread ..." line of an
   * error that escaped), never a stack frame.
   */
  static String lastLine(Path log, String fallback) {
    List<String> lines;
    try {
      // Latin-1: a log line with bytes that are not UTF-8 must not make the reason unreadable.
      lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      return fallback + " (log: " + log + ")";
    }
    for (int i = lines.size() - 1; i >= 0; i--) {
      String message = Errors.messageOf(lines.get(i));
      if (message != null) {
        return message;
      }
    }
    for (int i = lines.size() - 1; i >= 0; i--) {
      String l = lines.get(i).trim();
      if (l.isEmpty() || l.startsWith("at ") || l.startsWith("... ") || l.startsWith("Caused by:")
          || l.startsWith("Suppressed:")) {
        continue;
      }
      if (l.startsWith("Exception in thread ")) {
        int q = l.indexOf('"', l.indexOf('"') + 1);
        l = q > 0 ? l.substring(q + 1).trim() : l;
      }
      return fallback + ": " + l + " (log: " + log + ")";
    }
    return fallback + " (log: " + log + ")";
  }
}
