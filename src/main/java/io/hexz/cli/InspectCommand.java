package io.hexz.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hexz.Hexz;
import io.hexz.format.Checksums;
import io.hexz.format.Header;
import io.hexz.format.StreamDescriptor;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hexz inspect SNAP}: header, streams and metadata. */
@Command(name = "inspect", mixinStandardHelpOptions = true, description = "Show a snapshot's header and metadata.")
final class InspectCommand implements Callable<Integer> {
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
    Hexz.Inspection in;
    try (io.hexz.crypto.Secret pw = passwords.read()) {
      in = Hexz.inspect(snap, io.hexz.read.ReadOptions.DEFAULTS.withParentDirs(parentDirs.get())
          .withRemote(remote.options()).withPassword(pw));
    }
    Header h = in.header();
    io.hexz.read.PlanPrefetch.Summary plan = null;
    if (in.metadata() != null && in.metadata().prefetchPlan() != null) {
      try (io.hexz.crypto.Secret pw = passwords.read();
          io.hexz.read.Snapshot s = io.hexz.read.Snapshots.open(snap, io.hexz.read.ReadOptions.LOOKUPS
              .withParentDirs(parentDirs.get()).withRemote(remote.options()).withPassword(pw))) {
        plan = io.hexz.read.PlanPrefetch.summarize(s).orElse(null);
      }
    }
    if (json) {
      ObjectNode o = Json.object();
      o.put("file", in.file());
      o.put("formatVersion", h.versionMajor() + "." + h.versionMinor());
      o.put("fileBytes", h.fileLength());
      o.put("blockSize", h.blockSize());
      o.put("codec", h.codec().toString());
      o.put("level", h.level());
      o.put("identity", Checksums.hex(h.identity()));
      o.put("thin", h.isThin());
      o.put("encrypted", h.isEncrypted());
      if (h.isEncrypted()) {
        ObjectNode e = o.putObject("encryption");
        e.put("cipher", "AES-256-GCM");
        e.put("kdf", "Argon2id");
        e.put("memoryKiB", h.encryption().memoryKiB());
        e.put("iterations", h.encryption().iterations());
        e.put("parallelism", h.encryption().parallelism());
      }
      o.put("signed", h.isSigned());
      if (h.isSigned()) {
        o.put("signatureKeyFingerprint", Checksums.hex(h.signature().fingerprint()));
      }
      if (h.isThin()) {
        o.put("parentIdentity", Checksums.hex(h.parentIdentity()));
        o.put("parentHint", h.parentHint());
      }
      var streams = o.putArray("streams");
      for (StreamDescriptor d : h.streams().values()) {
        ObjectNode s = streams.addObject();
        s.put("kind", d.kind().toString());
        s.put("size", d.size());
        s.put("blocks", d.blockCount(h.blockSize()));
        s.put("indexDepth", d.indexDepth());
        s.put("storedBytes", d.storedBytes());
      }
      var chain = o.putArray("parents");
      for (Hexz.Inspection p : in.parents()) {
        ObjectNode c = chain.addObject();
        c.put("file", p.file());
        c.put("identity", Checksums.hex(p.header().identity()));
        c.put("thin", p.header().isThin());
        c.put("fileBytes", p.header().fileLength());
      }
      if (in.metadata() == null) {
        o.putNull("metadata");
        System.out.println(Json.write(o));
        return 0;
      }
      ObjectNode m = o.putObject("metadata");
      m.put("created", in.metadata().created().toString());
      m.put("source", in.metadata().source());
      m.put("tool", in.metadata().tool());
      ObjectNode u = m.putObject("user");
      in.metadata().user().forEach(u::put);
      if (plan != null) {
        ObjectNode pl = o.putObject("prefetchPlan");
        pl.put("blocks", plan.blocks());
        pl.put("bytes", plan.bytes());
        pl.put("storedBytes", plan.storedBytes());
        pl.put("firstOffset", plan.firstOffset());
        pl.put("endOffset", plan.endOffset());
      }
      System.out.println(Json.write(o));
      return 0;
    }
    System.out.printf("file:        %s%n", in.file());
    System.out.printf("format:      %d.%d%n", h.versionMajor(), h.versionMinor());
    System.out.printf("size:        %s (%d bytes)%n", Human.bytes(h.fileLength()), h.fileLength());
    System.out.printf("block size:  %s%n", Human.bytes(h.blockSize()));
    System.out.printf("codec:       %s (level %d)%n", h.codec(), h.level());
    System.out.printf("identity:    %s%s%n", Checksums.hex(h.identity()),
        h.isEncrypted() ? " (keyed per snapshot; the content identity is encrypted)" : "");
    if (h.isEncrypted()) {
      System.out.printf("encrypted:   AES-256-GCM, key from the password by %s%n", h.encryption());
    }
    if (h.isSigned()) {
      System.out.printf("signed:      Ed25519, key fingerprint %s (check with verify --public-key)%n",
          Checksums.hex(h.signature().fingerprint()));
    }
    if (h.isThin()) {
      System.out.printf("parent:      %s (%s)%n", Checksums.hex(h.parentIdentity()), h.parentHint());
    }
    for (StreamDescriptor d : h.streams().values()) {
      System.out.printf("stream %-6s %s (%d bytes), %d blocks, index depth %d, %s stored%n", d.kind() + ":",
          Human.bytes(d.size()), d.size(), d.blockCount(h.blockSize()), d.indexDepth(), Human.bytes(d.storedBytes()));
    }
    for (Hexz.Inspection p : in.parents()) {
      System.out.printf("  <- %s (%s, %s%s)%n", p.file(), Checksums.hex(p.header().identity()).substring(0, 16),
          Human.bytes(p.header().fileLength()), p.header().isThin() ? ", thin" : "");
    }
    if (in.metadata() == null) {
      System.out.printf("metadata:    (encrypted; give --password-file or --password-env to see it)%n");
      return 0;
    }
    System.out.printf("created:     %s%n", in.metadata().created());
    System.out.printf("source:      %s%n", in.metadata().source());
    System.out.printf("tool:        %s%n", in.metadata().tool());
    in.metadata().user().forEach((k, v) -> System.out.printf("meta:        %s=%s%n", k, v));
    if (plan != null) {
      System.out.printf("boot plan:   %d blocks, %s, %s stored in file bytes %d..%d (%s)%n", plan.blocks(),
          Human.bytes(plan.bytes()), Human.bytes(plan.storedBytes()), plan.firstOffset(), plan.endOffset(),
          plan.endOffset() - plan.firstOffset() == plan.storedBytes() ? "contiguous" : "spread over "
          + Human.bytes(plan.endOffset() - plan.firstOffset()));
    }
    return 0;
  }
}
