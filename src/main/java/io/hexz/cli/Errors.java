package io.hexz.cli;

import io.hexz.format.ParentNotFoundException;
import io.hexz.format.PasswordRequiredException;
import io.hexz.fuse.ReadOnlySourceException;
import io.hexz.store.RestrictedAddressException;
import java.io.FileNotFoundException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;

/**
 * Turns any exception from a command into one line on stderr and exit code 1 (a stack trace
 * only with --debug). Stateless.
 */
final class Errors implements CommandLine.IExecutionExceptionHandler {
  /**
   * What every error line hexz prints on stderr starts with. This is a contract between the two
   * processes of a background mount: the child ({@code mount --foreground}) writes its stderr to
   * a log, and when it exits before the mount is up, the parent reports the message of the log's
   * last line that starts with PREFIX ({@link #messageOf}), else a line the JVM printed. So an
   * error hexz reports is one line made by {@link #line}, and a mount prints no other line that
   * starts with PREFIX (other commands also print warnings and progress that way). Tested by
   * {@code BackgroundMountTest}.
   */
  static final String PREFIX = "hexz: ";

  /** The line hexz prints on stderr for an error with {@code message}. */
  static String line(String message) {
    return PREFIX + message;
  }

  /** The message of an error line made by {@link #line} (blanks around it ignored), or null for another line. */
  static String messageOf(String line) {
    String l = line.trim();
    return l.startsWith(PREFIX) ? l.substring(PREFIX.length()) : null;
  }

  @Override
  public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parse) {
    boolean debug = parse.expandedArgs().contains("--debug");
    cl.getErr().println(line(describe(ex)));
    if (debug) {
      ex.printStackTrace(cl.getErr());
    }
    return ex instanceof UsageException ? 2 : 1;
  }

  /**
   * One line that names the file and what is wrong, and for a library exception whose remedy is a
   * flag, that flag ({@link #hint}): the library names no flag of the command line.
   */
  static String describe(Throwable ex) {
    Throwable t = ex instanceof UncheckedIOException ? ex.getCause() : ex;
    return message(t) + hint(t);
  }

  /**
   * What to do about {@code t} on the command line, from its type or the type of an exception
   * inside it (a cause, or a suppressed one: a parent that could not be opened); "" when no flag
   * helps.
   */
  static String hint(Throwable t) {
    for (Throwable x = t; x != null; x = x.getCause() == x ? null : x.getCause()) {
      for (Throwable s : x.getSuppressed()) { // the more specific reason first
        String h = hint(s);
        if (!h.isEmpty()) {
          return h;
        }
      }
      if (x instanceof RestrictedAddressException) {
        return "; pass --allow-restricted to allow it";
      }
      if (x instanceof ReadOnlySourceException) {
        return " (no --rw)";
      }
      if (x instanceof ParentNotFoundException) {
        return "; --parent-dir DIR looks for it in DIR too";
      }
      if (x instanceof PasswordRequiredException) {
        return " (--password-file FILE or --password-env VAR)";
      }
    }
    return "";
  }

  private static String message(Throwable t) {
    if (t instanceof NoSuchFileException) {
      String reason = ((NoSuchFileException) t).getReason();
      return ((NoSuchFileException) t).getFile() + ": " + (reason == null ? "no such file" : reason);
    }
    if (t instanceof AccessDeniedException) {
      String reason = ((AccessDeniedException) t).getReason();
      return ((AccessDeniedException) t).getFile() + ": " + (reason == null ? "permission denied" : reason);
    }
    if (t instanceof FileAlreadyExistsException) {
      return ((FileAlreadyExistsException) t).getFile() + ": already exists";
    }
    if (t instanceof FileSystemException) {
      return t.getMessage();
    }
    if (t instanceof FileNotFoundException || t instanceof IllegalArgumentException
        || t instanceof IllegalStateException || t instanceof UsageException) {
      return t.getMessage();
    }
    String m = t.getMessage();
    return m == null ? t.getClass().getSimpleName() : m;
  }

  /** One line for an Error that escaped a command: what ran out, and the JVM's own words. */
  static String describeError(Error e) {
    if (e instanceof OutOfMemoryError) {
      return "out of memory (" + e.getMessage() + "): the JVM's heap limit (-Xmx) is too small for this command";
    }
    if (e instanceof StackOverflowError) {
      return "stack overflow: the input nests too deeply for the JVM's thread stack (-Xss)";
    }
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }

  /** A bad combination of options found after parsing (exit code 2). */
  static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }
}
