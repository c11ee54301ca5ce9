package io.hexz.cli;

import io.hexz.format.StreamKind;
import io.hexz.read.BlockDevice;
import io.hexz.read.ReadOptions;
import io.hexz.read.Snapshot;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hexz cat SNAP}: a stream's bytes to stdout. */
@Command(name = "cat", mixinStandardHelpOptions = true,
    description = "Write a stream (or a range of it) to standard output.")
final class CatCommand implements Callable<Integer> {
  @Parameters(paramLabel = "SNAP", description = "a path, http(s):// URL or s3://BUCKET/KEY")
  String snap;

  @picocli.CommandLine.Mixin
  RemoteFlags remote;

  @Option(names = "--stream", paramLabel = "KIND", description = "disk (default) or memory")
  String stream = "disk";

  @Option(names = "--path", paramLabel = "FILE", description = "a file of a directory snapshot (instead of a stream)")
  String path;

  @Option(names = "--offset", paramLabel = "N", converter = Sizes.class, description = "start here (default 0)")
  long offset;

  @Option(names = "--length", paramLabel = "N", converter = Sizes.class,
      description = "at most this many bytes (default: to the end)")
  Long length;

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
    StreamKind kind = StreamKind.parse(stream);
    try (Snapshot s = passwords.open(snap, ReadOptions.DEFAULTS.withCacheBytes(64L << 20)
        .withParentDirs(parentDirs.get()).withRemote(remote.options()), publicKey)) {
      BlockDevice d = path == null
          ? s.stream(kind).orElseThrow(() -> new IllegalArgumentException(snap + ": has no " + kind + " stream"))
          : file(s);
      long end = length == null ? d.size() : Math.min(d.size(), offset + Math.min(length, Long.MAX_VALUE - offset));
      @SuppressWarnings("resource") // stdout stays open for the JVM's life
      FileChannel out = new FileOutputStream(FileDescriptor.out).getChannel();
      ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
      long pos = offset;
      while (pos < end) {
        buf.clear().limit((int) Math.min(buf.capacity(), end - pos));
        int n = d.read(buf, pos);
        if (n <= 0) {
          break;
        }
        buf.flip();
        try {
          while (buf.hasRemaining()) {
            out.write(buf);
          }
        } catch (IOException e) {
          if (String.valueOf(e.getMessage()).contains("Broken pipe")) {
            return 141; // like a program killed by SIGPIPE: the reader went away
          }
          throw e;
        }
        pos += n;
      }
    }
    return 0;
  }

  private BlockDevice file(Snapshot s) throws IOException {
    io.hexz.read.Tree t = s.tree().orElseThrow(() -> new IllegalArgumentException(snap
        + ": is an image snapshot; --path needs a directory snapshot"));
    io.hexz.format.TreeManifest.Inode n = t.resolve(path).orElseThrow(() -> new java.nio.file.NoSuchFileException(
        snap + ":" + path, null, "no such entry in the snapshot"));
    if (!n.isFile()) {
      throw new IllegalArgumentException(snap + ":" + path + ": not a regular file");
    }
    return t.open(n);
  }
}
