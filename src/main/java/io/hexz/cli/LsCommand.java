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
            emit(t, t.child(n, e), e.name(), arr);
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
    byte[] target = n.isSymlink() ? t.readlink(n) : null;
    if (json) {
      ObjectNode o = arr.addObject();
      putBytes(o, "name", name);
      o.put("ino", n.ino());
      o.put("type", TreeManifest.typeName(n.mode()));
      o.put("mode", n.mode() & 07777);
      o.put("nlink", n.nlink());
      o.put("uid", Integer.toUnsignedLong(n.uid()));
      o.put("gid", Integer.toUnsignedLong(n.gid()));
      o.put("size", n.size());
      o.put("mtime", shownTime(n).toString());
      o.put("mtimeSec", n.mtimeSec());
      o.put("mtimeNsec", n.mtimeNsec());
      if (target != null) {
        putBytes(o, "target", target);
      }
      if (n.rdev() != 0) {
        o.put("rdev", n.rdev());
      }
    } else if (longFormat) {
      System.out.printf("%s %3d %5d %5d %12d %s %s%s%n", TreeManifest.modeString(n.mode()), n.nlink(), Integer.toUnsignedLong(n.uid()),
          Integer.toUnsignedLong(n.gid()), n.size(), TIME.format(shownTime(n)), escape(name),
          target == null ? "" : " -> " + escape(target));
    } else {
      System.out.println(escape(name));
    }
  }

  /** The UTF-8 decoding as {@code key}, plus {@code keyHex} with the exact bytes when they are not UTF-8. */
  private static void putBytes(ObjectNode o, String key, byte[] b) {
    String s = new String(b, StandardCharsets.UTF_8);
    o.put(key, s);
    if (!java.util.Arrays.equals(s.getBytes(StandardCharsets.UTF_8), b)) {
      o.put(key + "Hex", io.hexz.format.Checksums.hex(b));
    }
  }

  /**
   * The stored time, clamped to years ±999 999 999: a damaged or
   * crafted mtime is shown at the limit instead of failing the listing. --json also has the raw
   * mtimeSec and mtimeNsec.
   */
  static Instant shownTime(Inode n) {
    // The range of a date-time (years ±999 999 999), a little narrower than Instant's, so it also formats.
    long sec = Math.max(java.time.LocalDateTime.MIN.toEpochSecond(ZoneOffset.UTC),
        Math.min(java.time.LocalDateTime.MAX.toEpochSecond(ZoneOffset.UTC), n.mtimeSec()));
    return Instant.ofEpochSecond(sec, n.mtimeNsec());
  }

  /**
   * A name or symlink target for a terminal, as GNU {@code ls -b} does: printable UTF-8 as is;
   * backslash, control characters (C0, DEL, C1) and bytes that are not UTF-8 as C escapes
   * ({@code \\ \n \t \r}, else {@code \ooo} octal per byte). So a crafted name cannot send escape
   * sequences to the terminal, and different byte strings never print the same.
   */
  static String escape(byte[] b) {
    java.nio.charset.CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
        .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
    StringBuilder sb = new StringBuilder(b.length + 8);
    int i = 0;
    while (i < b.length) {
      int c = b[i] & 0xFF;
      int len = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
      String ch = null;
      if (len > 0 && i + len <= b.length) {
        try {
          ch = dec.decode(java.nio.ByteBuffer.wrap(b, i, len)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
          ch = null;
        }
      }
      if (ch == null) {
        sb.append(String.format("\\%03o", c));
        i++;
        continue;
      }
      int cp = ch.codePointAt(0);
      if (cp == '\\') {
        sb.append("\\\\");
      } else if (cp == '\n') {
        sb.append("\\n");
      } else if (cp == '\t') {
        sb.append("\\t");
      } else if (cp == '\r') {
        sb.append("\\r");
      } else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) {
        for (int k = 0; k < len; k++) {
          sb.append(String.format("\\%03o", b[i + k] & 0xFF));
        }
      } else {
        sb.append(ch);
      }
      i += len;
    }
    return sb.toString();
  }
}
