package io.hexz.overlay;

import io.hexz.read.AbstractBlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Stands in for the base snapshot when an overlay is opened on its own (to inspect or compact
 * it): it has the overlay's size and calls everything data, so that every discarded page keeps
 * its entry, and it refuses to be read, which only a partial-page write or a read of a page the
 * overlay does not hold would need. Immutable.
 */
final class NoBase extends AbstractBlockDevice {
  private final Path overlay;
  private final long size;

  NoBase(Path overlay, long size) {
    this.overlay = overlay;
    this.size = size;
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  protected int readChecked(ByteBuffer dst, long offset) throws IOException {
    throw new IOException(overlay + ": opened without its base snapshot, which this read needs");
  }

  @Override
  public void close() {}
}
