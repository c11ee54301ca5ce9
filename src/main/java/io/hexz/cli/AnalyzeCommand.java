package io.hexz.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hexz.Hexz;
import io.hexz.read.AnalyzeReport;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hexz analyze SNAP}: where the bytes go. */
@Command(name = "analyze", mixinStandardHelpOptions = true,
    description = "Show dedup, zero-block and compression statistics.")
final class AnalyzeCommand implements Callable<Integer> {
  @Parameters(paramLabel = "SNAP", description = "a path, http(s):// URL or s3://BUCKET/KEY")
  String snap;

  @picocli.CommandLine.Mixin
  RemoteFlags remote;

  @Option(names = "--json", description = "print JSON")
  boolean json;

  @picocli.CommandLine.Mixin
  ParentDirs parentDirs;

  @picocli.CommandLine.Mixin
  PasswordFlags passwords;

  @Option(names = "--debug", description = "stack traces on errors")
  boolean debug;

  @Override
  public Integer call() throws Exception {
    java.util.List<AnalyzeReport> layers = new java.util.ArrayList<>();
    try (io.hexz.crypto.Secret pw = passwords.read()) {
      io.hexz.read.ReadOptions ro = io.hexz.read.ReadOptions.DEFAULTS.withParentDirs(parentDirs.get())
          .withRemote(remote.options()).withPassword(pw);
      layers.add(Hexz.analyze(snap, ro));
      for (Hexz.Inspection p : Hexz.inspect(snap, ro).parents()) {
        layers.add(Hexz.analyze(p.file(), ro));
      }
    }
    if (json) {
      var all = Json.MAPPER.createArrayNode();
      for (AnalyzeReport r : layers) {
        all.add(toJson(r));
      }
      System.out.println(Json.write(layers.size() == 1 ? all.get(0) : Json.object().set("layers", all)));
      return 0;
    }
    for (AnalyzeReport r : layers) {
      if (r != layers.get(0)) {
        System.out.println("parent layer:");
      }
      print(r);
    }
    return 0;
  }

  private static ObjectNode toJson(AnalyzeReport r) {
    {
      ObjectNode o = Json.object();
      o.put("file", r.file());
      o.put("fileBytes", r.fileBytes());
      var arr = o.putArray("streams");
      for (AnalyzeReport.StreamStats s : r.streams()) {
        ObjectNode n = arr.addObject();
        n.put("stream", s.stream());
        n.put("logicalBytes", s.logicalBytes());
        n.put("blocks", s.blocks());
        n.put("zeroBlocks", s.zeroBlocks());
        n.put("parentBlocks", s.parentBlocks());
        n.put("dedupBlocks", s.dedupBlocks());
        n.put("storedBlocks", s.storedBlocks());
        n.put("rawBlocks", s.rawBlocks());
        n.put("storedLogicalBytes", s.storedLogicalBytes());
        n.put("payloadBytes", s.payloadBytes());
        n.put("compressionRatio", s.compressionRatio());
        n.put("dedupRatio", s.dedupRatio());
        n.put("savings", s.savings());
      }
      return o;
    }
  }

  private static void print(AnalyzeReport r) {
    System.out.printf("%s: %s on disk%n", r.file(), Human.bytes(r.fileBytes()));
    for (AnalyzeReport.StreamStats s : r.streams()) {
      System.out.printf("stream %s: %s in %d blocks%n", s.stream(), Human.bytes(s.logicalBytes()), s.blocks());
      System.out.printf("  zero blocks:     %d (%s)%n", s.zeroBlocks(), Human.percent(frac(s.zeroBlocks(), s.blocks())));
      if (s.parentBlocks() > 0) {
        System.out.printf("  from parent:     %d%n", s.parentBlocks());
      }
      System.out.printf("  deduplicated:    %d (%s of non-zero blocks)%n", s.dedupBlocks(), Human.percent(s.dedupRatio()));
      System.out.printf("  stored:          %d (%d raw), %s -> %s, ratio %.2f%n", s.storedBlocks(), s.rawBlocks(),
          Human.bytes(s.storedLogicalBytes()), Human.bytes(s.payloadBytes()), s.compressionRatio());
      System.out.printf("  savings:         %s%n", Human.percent(s.savings()));
    }
  }

  private static double frac(long a, long b) {
    return b == 0 ? 0 : (double) a / b;
  }
}
