package demo;

import io.hexz.Hexz;
import io.hexz.read.ReadOptions;
import io.hexz.read.Snapshot;
import io.hexz.write.Profile;
import io.hexz.write.SnapshotWriter;
import io.hexz.write.WriteOptions;
import io.hexz.format.StreamKind;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Demo IN OUT.hxz: snapshots IN with the library, reads it back through Hexz.open, prints "same N". */
public final class Demo {
  public static void main(String[] args) throws Exception {
    Path in = Path.of(args[0]);
    Path out = Path.of(args[1]);
    try (SnapshotWriter w = Hexz.create(out, WriteOptions.builder(Profile.ARCHIVAL).build())) {
      w.addFile(StreamKind.DISK, in);
      w.finish();
    }
    byte[] want = Files.readAllBytes(in);
    try (Snapshot s = Hexz.open(out, ReadOptions.DEFAULTS)) {
      ByteBuffer buf = ByteBuffer.allocate((int) s.size());
      while (buf.hasRemaining() && s.read(buf, buf.position()) > 0) { }
      if (!Arrays.equals(want, buf.array())) {
        throw new AssertionError(out + ": bytes read differ from " + in);
      }
    }
    System.out.println("same " + want.length);
  }
}
