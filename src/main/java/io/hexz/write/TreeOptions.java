package io.hexz.write;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * How a directory is packed, beyond {@link WriteOptions}. Immutable.
 *
 * @param special record device nodes, fifos and sockets (false: skip each with a warning)
 * @param warnings receives one line per skipped or changed file (from the building thread)
 */
public record TreeOptions(boolean special, Consumer<String> warnings) {
  public static final TreeOptions DEFAULTS = new TreeOptions(true, w -> {});

  public TreeOptions {
    Objects.requireNonNull(warnings, "warnings");
  }
}
