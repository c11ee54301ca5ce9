package io.hexz.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hexz.Hexz;
import io.hexz.read.VerifyReport;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hexz verify SNAP}: exit 0 valid, 1 damaged, 2 usage. */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = "Check structure and every block. Exit 0 if valid, 1 if damaged, 2 on usage errors.")
final class VerifyCommand implements Callable<Integer> {
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

  @picocli.CommandLine.Mixin
  PublicKeyFlag publicKey;

  @Option(names = "--debug", description = "stack traces on errors")
  boolean debug;

  @Override
  public Integer call() throws Exception {
    if (!io.hexz.store.ByteSources.isRemote(snap) && !Files.exists(Path.of(snap))) {
      throw new NoSuchFileException(snap);
    }
    VerifyReport r;
    try (io.hexz.crypto.Secret pw = passwords.read()) {
      r = Hexz.verify(snap, io.hexz.read.ReadOptions.DEFAULTS.withParentDirs(parentDirs.get())
          .withRemote(remote.options()).withPassword(pw).withPublicKey(publicKey.read()));
    }
    if (json) {
      ObjectNode o = Json.object();
      o.put("file", r.file());
      o.put("ok", r.ok());
      o.put("blocksChecked", r.blocksChecked());
      o.put("bytesChecked", r.bytesChecked());
      o.put("problemCount", r.problemCount());
      var p = o.putArray("problems");
      r.problems().forEach(p::add);
      System.out.println(Json.write(o));
    } else if (r.ok()) {
      System.out.printf("%s: OK (%d blocks, %s checked%s)%n", r.file(), r.blocksChecked(), Human.bytes(r.bytesChecked()),
          publicKey.file == null ? "" : "; signature by " + publicKey.file + " holds");
    } else {
      r.problems().forEach(System.err::println);
      if (r.problemCount() > r.problems().size()) {
        System.err.printf("... and %d more%n", r.problemCount() - r.problems().size());
      }
      System.err.printf("hexz: %s: DAMAGED (%d problems)%n", r.file(), r.problemCount());
    }
    return r.ok() ? 0 : 1;
  }
}
