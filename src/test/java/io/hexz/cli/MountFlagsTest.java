package io.hexz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.hexz.fuse.MountOptions;
import io.hexz.store.RemoteOptions;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The flags of mount become MountOptions, or a usage error that names them; serve declares the
 * flags they share through the same mixin.
 */
class MountFlagsTest {
  private static MountOptions options(String... flags) {
    String[] args = new String[flags.length + 3];
    args[0] = "mount";
    args[1] = "a.hxz";
    args[2] = "mnt";
    System.arraycopy(flags, 0, args, 3, flags.length);
    picocli.CommandLine.ParseResult r = new picocli.CommandLine(new HexzCommand()).parseArgs(args);
    return ((MountCommand) r.subcommand().commandSpec().userObject()).flags.options(RemoteOptions.DEFAULTS);
  }

  private static String refused(String... flags) {
    return assertThrows(Errors.UsageException.class, () -> options(flags)).getMessage();
  }

  @Test
  void defaults() {
    MountOptions o = options();
    assertEquals(null, o.overlay());
    assertEquals(MountOptions.DEFAULT_CACHE, o.read().cacheBytes());
    assertEquals(true, o.read().prefetch());
    assertEquals(-1, o.uid());
    assertEquals(-1, o.gid());
    assertEquals(MountOptions.DEFAULT_THREADS, o.threads());
    assertEquals(List.of(), o.fuseOptions());
  }

  @Test
  void flagsBecomeOptions() {
    MountOptions o = options("--rw", "--overlay", "o.ovl", "--cache-size", "64M", "--no-prefetch", "--uid", "7",
        "--gid", "8", "--allow-other", "-o", "ro, noatime,", "-o", "fsname=x", "--single-threaded",
        "--parent-dir", "p", "--debug");
    assertEquals(Path.of("o.ovl").toAbsolutePath(), o.overlay());
    assertEquals(64L << 20, o.read().cacheBytes());
    assertEquals(false, o.read().prefetch());
    assertEquals(7, o.uid());
    assertEquals(8, o.gid());
    assertEquals(true, o.allowOther());
    assertEquals(List.of("ro", "noatime", "fsname=x"), o.fuseOptions());
    assertEquals(1, o.threads());
    assertEquals(List.of(Path.of("p").toAbsolutePath()), o.read().parentDirs());
    assertEquals(true, o.debug());
    assertEquals(8, options("--fuse-threads", "8").threads());
    assertEquals(1, options("--single-threaded", "--fuse-threads", "1").threads());
  }

  @Test
  void badCombinationsAreUsageErrorsNamingTheFlags() {
    assertEquals("--rw needs --overlay FILE", refused("--rw"));
    assertEquals("--overlay needs --rw", refused("--overlay", "o.ovl"));
    assertEquals("--single-threaded and --multi-threaded exclude each other",
        refused("--single-threaded", "--multi-threaded"));
    assertEquals("--fuse-threads 0: must be 1..64", refused("--fuse-threads", "0"));
    assertEquals("--fuse-threads 65: must be 1..64", refused("--fuse-threads", "65"));
    assertEquals("--single-threaded and --fuse-threads 8 exclude each other",
        refused("--single-threaded", "--fuse-threads", "8"));
  }

  @Test
  void serveTakesTheSharedFlagsAsMountDoes() {
    picocli.CommandLine.Model.CommandSpec mount = new picocli.CommandLine(new HexzCommand()).getSubcommands()
        .get("mount").getCommandSpec();
    picocli.CommandLine.Model.CommandSpec serve = new picocli.CommandLine(new HexzCommand()).getSubcommands()
        .get("serve").getCommandSpec();
    for (String name : List.of("--rw", "--overlay", "--cache-size", "--no-prefetch", "--no-boot-prefetch",
        "--parent-dir")) {
      picocli.CommandLine.Model.OptionSpec m = mount.findOption(name);
      picocli.CommandLine.Model.OptionSpec s = serve.findOption(name);
      assertEquals(List.of(List.of(m.description()), m.paramLabel(), String.valueOf(m.initialValue())),
          List.of(List.of(s.description()), s.paramLabel(), String.valueOf(s.initialValue())), name);
    }
    picocli.CommandLine.ParseResult r = new picocli.CommandLine(new HexzCommand()).parseArgs("serve", "a.hxz",
        "--overlay", "o.ovl", "--cache-size", "64M", "--no-prefetch", "--parent-dir", "p");
    DiskFlags disk = ((ServeCommand) r.subcommand().commandSpec().userObject()).disk;
    assertEquals("--overlay needs --rw", assertThrows(Errors.UsageException.class, disk::overlay).getMessage());
    disk.rw = true;
    assertEquals(Path.of("o.ovl").toAbsolutePath(), disk.overlay());
    io.hexz.read.ReadOptions read = disk.read(RemoteOptions.DEFAULTS);
    assertEquals(List.of(64L << 20, false, List.of(Path.of("p").toAbsolutePath())),
        List.of(read.cacheBytes(), read.prefetch(), read.parentDirs()));
  }
}
