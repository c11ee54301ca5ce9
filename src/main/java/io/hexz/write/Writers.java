package io.hexz.write;

import java.io.IOException;
import java.nio.file.Path;

/** Creates snapshot writers. Stateless. */
public final class Writers {
  private Writers() {}

  /** A writer that will produce {@code target} when finished. */
  public static SnapshotWriter create(Path target, WriteOptions options) throws IOException {
    return new SnapshotWriterImpl(target, options);
  }

  /** The statistics of a finished writer made by {@link #create}. */
  public static WriteStats stats(SnapshotWriter w) {
    return ((SnapshotWriterImpl) w).stats();
  }
}
