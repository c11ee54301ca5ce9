package io.hexz.cli;

import io.hexz.fuse.FuseMount;
import io.hexz.fuse.MountOptions;
import io.hexz.fuse.MountTable;
import io.hexz.fuse.SnapshotMount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hexz mount SNAP MNT}: serves a snapshot as block files. By default it starts itself
 * again in the background with {@code --foreground} and returns once the mount answers.
 */
@Command(name = "mount", mixinStandardHelpOptions = true,
    description = "Mount a snapshot (MNT/disk, MNT/memory) or a directory of snapshots (MNT/NAME/disk).",
    // in --help and so in hexz-mount(1): mount(8) and fstab go through the package's mount.fuse.hexz
    footerHeading = "%nmount(8) and /etc/fstab%n",
    footer = {"With the Debian package installed, mount(8) and /etc/fstab mount snapshots as type fuse.hexz:",
        "  mount -t fuse.hexz SNAP MNT -o ro,allow_other,cache_size=512M",
        "  SNAP MNT fuse.hexz rw,overlay=FILE,nofail 0 0        (a line of /etc/fstab)",
        "Options there are the flags above with _ for - (cache_size=, overlay=, password_file=, ...); "
            + "umount MNT waits like hexz unmount."})
final class MountCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "SNAP",
      description = "a .hxz snapshot, a directory of them, an http(s):// URL or s3://BUCKET/KEY")
  String snap;

  @picocli.CommandLine.Mixin
  RemoteFlags remote;

  @Parameters(index = "1", paramLabel = "MNT", description = "an empty directory")
  Path mnt;

  @Option(names = "--foreground", description = "stay attached until unmounted (for systemd)")
  boolean foreground;

  @picocli.CommandLine.Mixin
  MountFlags flags;

  @picocli.CommandLine.Mixin
  PasswordFlags passwords;

  @picocli.CommandLine.Mixin
  PublicKeyFlag publicKey;

  @Spec
  CommandSpec spec;

  private String location;

  @Override
  public Integer call() throws Exception {
    MountOptions mo = flags.options(remote.options());
    Path mp = mnt.toAbsolutePath().normalize();
    boolean isRemote = io.hexz.store.ByteSources.isRemote(snap);
    if (!isRemote && !Files.exists(Path.of(snap))) {
      throw new java.nio.file.NoSuchFileException(snap, null, "snapshot does not exist");
    }
    location = isRemote ? snap : Path.of(snap).toAbsolutePath().toString();
    if (mo.writable() && !isRemote && Files.isDirectory(Path.of(snap))) {
      // before a background child is started; SnapshotMount refuses it too (ReadOnlySourceException)
      throw new IllegalArgumentException("--rw mounts one snapshot, not a directory of them");
    }
    clearStaleMount(mp);
    if (foreground) {
      return runForeground(mp, mo);
    }
    BackgroundMount.start(mp, MountJvm.forChild(flags.disk.cacheSize, passwords.given() ? MountJvm.kdfMemory(location) : 0),
        childArgs());
    return 0;
  }

  /** A mount whose daemon died (SIGKILL) answers ENOTCONN forever; lift it so MNT can be reused. */
  static void clearStaleMount(Path mp) throws InterruptedException {
    if (!MountTable.isFuseMounted(mp)) {
      return;
    }
    try {
      Files.readAttributes(mp, "unix:dev");
    } catch (IOException e) {
      if (String.valueOf(e.getMessage()).contains("not connected")) {
        try {
          new ProcessBuilder("fusermount", "-u", mp.toString()).redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException ignored) {
          // the mount attempt below reports the busy mount point
        }
      }
    }
  }

  private int runForeground(Path mp, MountOptions base) throws IOException {
    FuseMount m;
    try (io.hexz.crypto.Secret pw = passwords.read()) {
      MountOptions mo = base.toBuilder().read(base.read().toBuilder().password(pw).publicKey(publicKey.read()).build())
          .build();
      m = SnapshotMount.mount(location, mp, mo);
    } // every snapshot is open: the password is wiped, the derived keys live in the open snapshots
    Path pidFile = RunDir.pidFile(mp);
    RunDir.writeNew(pidFile, ProcessHandle.current().pid() + "\n");
    Thread hook = new Thread(() -> {
      try {
        m.close();
      } catch (IOException ignored) {
        // exiting anyway; close() already logged what failed
      }
    }, "hexz-unmount-on-signal");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      m.awaitUnmounted();
    } finally {
      Files.deleteIfExists(pidFile);
    }
    return 0;
  }

  /**
   * The command line of the background mount's child: this command's own arguments as given
   * (after @-file expansion), with {@code --foreground} in front. Every flag reaches the child
   * unchanged, so a flag cannot be forgotten here; relative paths still resolve, as the child
   * inherits the working directory. An argument starting with '@' is escaped as '@@' so that the
   * child does not expand it again.
   */
  List<String> childArgs() {
    List<String> a = new ArrayList<>(List.of(spec.name(), "--foreground"));
    for (String arg : spec.commandLine().getParseResult().expandedArgs()) {
      a.add(arg.startsWith("@") ? "@" + arg : arg);
    }
    return a;
  }
}
