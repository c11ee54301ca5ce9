package io.hexz.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hexz.Hexz;
import io.hexz.format.StreamKind;
import io.hexz.read.Diff;
import io.hexz.read.ReadOptions;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hexz diff A B}: changed byte ranges. Exit 0 if equal, 1 if different (like cmp). */
@Command(name = "diff", mixinStandardHelpOptions = true,
    description = "Print the byte ranges (offset length) where two snapshots differ. Exit 0 if identical, 1 if not.")
final class DiffCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "A")
  Path a;

  @Parameters(index = "1", paramLabel = "B")
  Path b;

  @Option(names = "--stream", paramLabel = "KIND", description = "disk (default) or memory")
  String stream = "disk";

  @Option(names = "--json", description = "print JSON")
  boolean json;

  @Mixin
  ParentDirs parentDirs;

  @Mixin
  PasswordFlags passwords;

  @Option(names = "--debug", description = "stack traces on errors")
  boolean debug;

  @Override
  public Integer call() throws Exception {
    StreamKind kind = StreamKind.parse(stream);
    ObjectNode o = Json.object();
    ArrayNode ranges = o.putArray("ranges");
    Diff.Summary s;
    try (io.hexz.crypto.Secret pw = passwords.read()) {
      ReadOptions ro = ReadOptions.DEFAULTS.withCacheBytes(64L << 20).withPrefetch(false)
          .withParentDirs(parentDirs.get()).withPassword(pw);
      s = Hexz.diff(a, b, kind, (off, len) -> {
        if (json) {
          ranges.addObject().put("offset", off).put("length", len);
        } else {
          System.out.println(off + " " + len);
        }
      }, ro);
    }
    if (json) {
      o.put("a", a.toString());
      o.put("b", b.toString());
      o.put("stream", kind.toString());
      o.put("sizeA", s.sizeA());
      o.put("sizeB", s.sizeB());
      o.put("changedBytes", s.changedBytes());
      o.put("rangeCount", s.ranges());
      o.put("blocksCompared", s.blocksRead());
      System.out.println(Json.write(o));
    } else {
      System.err.printf("%d ranges, %s changed%n", s.ranges(), Human.bytes(s.changedBytes()));
    }
    return s.ranges() == 0 ? 0 : 1;
  }
}
