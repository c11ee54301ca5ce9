package io.hexz.store;

import java.io.IOException;
import java.nio.file.Path;

/** Opens byte sources. Stateless. */
public final class ByteSources {
  private ByteSources() {}

  /** A source over a local file. */
  public static ByteSource open(Path path) throws IOException {
    return new FileByteSource(path);
  }
}
