package io.hexz.testing;

import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Silences hexz's logger for a test class that damages files on purpose (every damaged block
 * logs a warning by design) and restores the level after. Not thread-safe across classes.
 */
public final class QuietHexzLog implements BeforeAllCallback, AfterAllCallback {
  private static final Logger HEXZ_LOG = Logger.getLogger("io.hexz");
  private Level saved;

  @Override
  public void beforeAll(ExtensionContext context) {
    saved = HEXZ_LOG.getLevel();
    HEXZ_LOG.setLevel(Level.OFF);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    HEXZ_LOG.setLevel(saved);
  }
}
