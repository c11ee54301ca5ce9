package io.hexz.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hexz.format.TreeManifest;
import io.hexz.format.TreeManifest.Inode;
import io.hexz.read.ReadOptions;
import io.hexz.read.Snapshot;
import io.hexz.read.Tree;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hexz ls SNAP [PATH]}: lists a directory of a directory snapshot (or one entry). */
@Command(name = "ls", mixinStandardHelpOptions = true,
    description = "List entries of a directory snapshot (built from a directory).")
final class LsCommand implements Callable<Integer> {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

  @Parameters(index = "0", paramLabel = "SNAP", description = "a path, http(s):// URL or s3://BUCKET/KEY")
  String snap;

  @Parameters(index = "1", paramLabel = "PATH", arity = "0..1", description = "directory or file in the snapshot (default /)")
  String path = "/";

  @Option(names = "-l", description = "long format: mode, links, owner, group, size, mtime (UTC), name")
  boolean longFormat;

  @Option(names = "--json", description = "print entries as JSON (with every stat field)")
  boolean json;

  @picocli.CommandLine.Mixin
  RemoteFlags remote;

  @picocli.CommandLine.Mixin
  ParentDirs parentDirs;

  @picocli.CommandLine.Mixin
  PasswordFlags passwords;

  @picocli.CommandLine.Mixin
  PublicKeyFlag publicKey;

  @Option(names = "--debug", description = "stack traces on errors")
  boolean debug;

  @Override
  public Integer call() throws Exception {
    try (Snapshot s = passwords.open(snap, ReadOptions.DEFAULTS.withCacheBytes(64L << 20).withPrefetch(false)
        .withParentDirs(parentDirs.get()).withRemote(remote.options()), publicKey)) {
      Tree t = s.tree().orElseThrow(() -> new IllegalArgumentException(snap
          + ": is an image snapshot; ls lists directory snapshots (use cat or mount)"));
      Inode n = t.resolve(path).orElseThrow(() -> new NoSuchFileException(snap + ":" + path, null,
          "no such entry in the snapshot"));
      ArrayNode arr = Json.MAPPER.createArrayNode();
      if (!n.isDir()) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        emit(t, n, name.getBytes(StandardCharsets.UTF_8), arr);
      } else {
        for (long at = 0; at < n.size(); at += 4096) {
          List<Tree.DirEntry> page = t.list(n, at, 4096);
          for (Tree.DirEntry e : page) {
            emit(t, t.stat(e.ino()), e.name(), arr);
          }
        }
      }
      if (json) {
        System.out.println(Json.write(arr));
      }
    }
    return 0;
  }

  private void emit(Tree t, Inode n, byte[] name, ArrayNode arr) throws java.io.IOException {
    String shown = new String(name, StandardCharsets.UTF_8);
    String target = n.isSymlink() ? new String(t.readlink(n), StandardCharsets.UTF_8) : null;
    if (json) {
      ObjectNode o = arr.addObject();
      o.put("name", shown);
      if (!java.util.Arrays.equals(shown.getBytes(StandardCharsets.UTF_8), name)) {
        o.put("nameHex", io.hexz.format.Checksums.hex(name)); // not UTF-8: the exact bytes
      }
      o.put("ino", n.ino());
      o.put("type", TreeManifest.typeName(n.mode()));
      o.put("mode", n.mode() & 07777);
      o.put("nlink", n.nlink());
      o.put("uid", Integer.toUnsignedLong(n.uid()));
      o.put("gid", Integer.toUnsignedLong(n.gid()));
      o.put("size", n.size());
      o.put("mtime", Instant.ofEpochSecond(n.mtimeSec(), n.mtimeNsec()).toString());
      if (target != null) {
        o.put("target", target);
      }
      if (n.rdev() != 0) {
        o.put("rdev", n.rdev());
      }
    } else if (longFormat) {
      System.out.printf("%s %3d %5d %5d %12d %s %s%s%n", TreeManifest.modeString(n.mode()), n.nlink(), Integer.toUnsignedLong(n.uid()),
          Integer.toUnsignedLong(n.gid()), n.size(), TIME.format(Instant.ofEpochSecond(n.mtimeSec())), shown,
          target == null ? "" : " -> " + target);
    } else {
      System.out.println(shown);
    }
  }
}
