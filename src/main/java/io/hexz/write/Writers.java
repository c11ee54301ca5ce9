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

  /**
   * Builds a directory snapshot of the tree at {@code root} (see {@link TreeBuilder} for the
   * layout); atomic like every write: nothing at {@code target} unless this returns.
   */
  public static WriteStats buildTree(Path root, Path target, WriteOptions options, TreeOptions tree)
      throws IOException {
    return TreeBuilder.build(root, target, options, tree);
  }

  /** The statistics of a finished writer made by {@link #create}. */
  public static WriteStats stats(SnapshotWriter w) {
    return ((SnapshotWriterImpl) w).stats();
  }
}
