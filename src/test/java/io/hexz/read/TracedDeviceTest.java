package io.hexz.read;

import io.hexz.format.StreamKind;
import java.nio.file.Path;
import java.util.Random;

/**
 * The block-device contract for a disk stream wrapped by a {@link TraceRecorder} (mount
 * --record-trace): {@link SnapshotDiskStreamTest}'s subject, read through the wrapper.
 */
class TracedDeviceTest extends AbstractBlockDeviceTest {
  @Override
  protected Subject create(Path dir, Random rnd) throws Exception {
    Subject disk = new SnapshotDiskStreamTest().create(dir, rnd);
    Snapshot s = (Snapshot) disk.resources();
    TraceRecorder recorder = new TraceRecorder(dir.resolve("boot.trace"), s);
    return new Subject(recorder.wrap(disk.device(), StreamKind.DISK), disk.expected(), disk.blockSize(), () -> {
      try (s) {
        recorder.close();
      }
    });
  }
}
