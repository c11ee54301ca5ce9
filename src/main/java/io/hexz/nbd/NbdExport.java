package io.hexz.nbd;

import io.hexz.read.BlockDevice;
import java.util.Objects;

/**
 * One device an NBD server offers under a name ("" is the default export).
 *
 * @param name the export name a client asks for (UTF-8, at most 4096 bytes)
 * @param description shown by {@code nbdinfo}; may be empty
 * @param device what is served; writes are accepted only if it {@link BlockDevice#isWritable()}
 */
public record NbdExport(String name, String description, BlockDevice device) {
  public NbdExport {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(device, "device");
    if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > Nbd.MAX_STRING) {
      throw new IllegalArgumentException("export name must be at most " + Nbd.MAX_STRING + " bytes: " + name);
    }
  }
}
