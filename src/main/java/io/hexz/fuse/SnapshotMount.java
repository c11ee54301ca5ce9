package io.hexz.fuse;

import io.hexz.format.StreamKind;
import io.hexz.overlay.Overlay;
import io.hexz.read.BlockDevice;
import io.hexz.read.PlanPrefetch;
import io.hexz.read.TraceRecorder;
import io.hexz.read.ReadOptions;
import io.hexz.read.Snapshot;
import io.hexz.read.Snapshots;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Mounts one snapshot (MNT/disk, MNT/memory) or a directory of snapshots (MNT/NAME/disk), read-only
 * or with a copy-on-write overlay on the disk stream. Stateless.
 */
public final class SnapshotMount {
  private SnapshotMount() {}

  /** Opens the snapshot(s), builds the tree and mounts it; returns once the mount answers. */
  public static FuseMount mount(String location, Path mnt, MountOptions o) throws IOException {
    boolean remote = io.hexz.store.ByteSources.isRemote(location);
    Path source = remote ? null : Path.of(location);
    if (!remote && !Files.exists(source)) {
      throw new NoSuchFileException(location, null, "snapshot does not exist");
    }
    List<Closeable> resources = new ArrayList<>();
    ReadOptions ro = o.read();
    long uid = o.uid() >= 0 ? o.uid() : uidOf("uid");
    long gid = o.gid() >= 0 ? o.gid() : uidOf("gid");
    try {
      FuseFs fs;
      String warmFile = null; // the file whose reads MountWarmup runs before the mount is announced
      BlockDevice warmDevice = null;
      String fsName = "hexz-" + ProcessHandle.current().pid();
      if (!remote && Files.isDirectory(source)) {
        if (o.writable()) {
          throw new ReadOnlySourceException(location, "a directory of snapshots mounts read-only");
        }
        HexzFs all = new HexzFs(fsName, uid, gid, System.currentTimeMillis() / 1000);
        List<Path> snaps = Snapshots.inDirectory(source);
        List<Snapshot> opened = Snapshots.openAll(snaps.stream().map(Path::toString).toList(), ro);
        resources.addAll(opened);
        for (int i = 0; i < snaps.size(); i++) {
          Path p = snaps.get(i);
          Snapshot s = opened.get(i);
          String name = p.getFileName().toString();
          name = name.substring(0, name.length() - 4);
          for (StreamKind k : List.of(StreamKind.DISK, StreamKind.MEMORY)) {
            String n = name;
            s.stream(k).ifPresent(d -> all.addFile("/" + n + "/" + k, d, false));
          }
          if (warmFile == null && s.stream(StreamKind.DISK).isPresent()) {
            warmFile = name + "/" + StreamKind.DISK;
            warmDevice = s.stream(StreamKind.DISK).get();
          }
        }
        fs = all;
      } else {
        Snapshot s = Snapshots.open(location, ro);
        resources.add(s);
        if (s.header().isTree()) {
          if (o.writable()) {
            throw new ReadOnlySourceException(location, "a directory snapshot mounts read-only");
          }
          fs = new TreeFs(fsName, s.tree().orElseThrow(), o.uid(), o.gid(), s.header().fileLength());
          return FuseMount.start(mnt, fs, fsName, treeArgs(fuseArgs(o, fsName)), o.debug(), o.threads(), resources);
        }
        HexzFs img = new HexzFs(fsName, uid, gid, s.metadata().created().getEpochSecond());
        BlockDevice disk = s.disk();
        BlockDevice memory = s.memory().orElse(null);
        if (o.recordTrace() != null) {
          TraceRecorder trace = new TraceRecorder(o.recordTrace(), s);
          resources.add(0, trace); // its last write at unmount
          disk = trace.wrap(disk, StreamKind.DISK);
          memory = memory == null ? null : trace.wrap(memory, StreamKind.MEMORY);
        }
        if (o.bootPrefetch()) {
          PlanPrefetch.start(s).ifPresent(p -> resources.add(0, p));
        }
        if (o.writable()) {
          // Refused over an encrypted layer anywhere in the chain (the overlay file is clear).
          Overlay ov = Overlay.open(o.overlay(), s, disk);
          resources.add(0, ov); // closed (and synced) before the snapshot below it
          disk = ov;
        }
        img.addFile("/disk", disk, o.writable());
        // Not with a trace (the warm-up's reads are not the workload's), nor over a network:
        // there its reads would be requests the user did not ask for, each costing a round trip.
        if (o.recordTrace() == null && !remote) {
          warmFile = "disk";
          warmDevice = disk;
        }
        if (memory != null) {
          img.addFile("/memory", memory, false);
        }
        fs = img;
      }
      FuseMount m = FuseMount.start(mnt, fs, fsName, fuseArgs(o, fsName), o.debug(), o.threads(), resources);
      if (warmFile != null) {
        MountWarmup.run(m.mountPoint().resolve(warmFile), warmDevice);
      }
      return m;
    } catch (IOException | RuntimeException e) {
      for (Closeable c : resources) {
        try {
          c.close();
        } catch (IOException ignored) {
          // the original error is the one to report
        }
      }
      throw e;
    }
  }

  /** libfuse2 arguments: 128 KiB requests (its maximum), kernel cache when nothing can change. */
  static List<String> fuseArgs(MountOptions o, String fsName) {
    List<String> a = new ArrayList<>();
    // fsname is the mount's source in /proc/self/mountinfo: the probe looks for exactly this one.
    StringBuilder opts = new StringBuilder("max_read=131072,subtype=hexz,fsname=" + fsName);
    if (o.writable()) {
      opts.append(",big_writes,max_write=131072");
    } else {
      opts.append(",ro,kernel_cache");
    }
    // The kernel checks every access against the modes and owners getattr shows: without it a
    // FUSE mount lets anyone who can reach it (all users, with allow_other) read and write anything.
    opts.append(",default_permissions");
    if (o.allowOther()) {
      opts.append(",allow_other");
    }
    for (String x : o.fuseOptions()) {
      opts.append(',').append(x);
    }
    a.add("-o");
    a.add(opts.toString());
    return a;
  }

  /** Stable inode numbers: the kernel sees the snapshot's own (use_ino). */
  private static List<String> treeArgs(List<String> args) {
    List<String> a = new ArrayList<>(args);
    a.set(1, a.get(1) + ",use_ino");
    return a;
  }

  private static long uidOf(String what) {
    try {
      Object v = Files.getAttribute(Path.of("/proc/self"), "unix:" + what);
      return ((Number) v).longValue();
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
