package io.hexz.cli;

import io.hexz.fuse.MountTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hexz unmount MNT}: unmounts and waits for the mount process to finish. */
@Command(name = "unmount", aliases = "umount", mixinStandardHelpOptions = true,
    description = "Unmount a hexz mount and wait until its process has written everything and ended.")
final class UnmountCommand implements Callable<Integer> {
  @Parameters(paramLabel = "MNT")
  Path mnt;

  @Option(names = "--timeout", paramLabel = "SECONDS", description = "how long to wait (default 60)")
  long timeout = 60;

  @Option(names = "--debug", description = "stack traces on errors")
  boolean debug;

  @Override
  public Integer call() throws Exception {
    Path mp = mnt.toAbsolutePath().normalize();
    if (!MountTable.isFuseMounted(mp)) {
      throw new IOException(mp + ": not mounted");
    }
    Optional<ProcessHandle> proc = Optional.empty();
    Path pid = RunDir.pidFile(mp);
    if (Files.exists(pid)) {
      try {
        proc = ProcessHandle.of(Long.parseLong(Files.readString(pid, StandardCharsets.UTF_8).trim()));
      } catch (NumberFormatException ignored) {
        // a damaged pid file: unmount anyway, just do not wait for a process
      }
    }
    Process p = new ProcessBuilder("fusermount", "-u", mp.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (!p.waitFor(timeout, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(mp + ": cannot unmount" + (out.contains("busy") ? " (busy: files are still open)"
          : out.isEmpty() ? "" : " (" + out.replaceAll("\\s+", " ") + ")"));
    }
    if (proc.isPresent() && proc.get().isAlive()) {
      try {
        proc.get().onExit().get(timeout, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        throw new IOException(mp + ": unmounted, but the mount process " + proc.get().pid() + " did not end within "
            + timeout + " s");
      }
    }
    return 0;
  }
}
