package io.hexz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Library exceptions name no command-line flag; the CLI's error line adds the flag that helps,
 * from the exception's type, so users see the same line as when the library spelled it out.
 */
class ErrorHintTest {
  @Test
  void aRestrictedAddressNamesAllowRestricted() {
    String url = "http://127.0.0.1:9/snap.hxz";
    CliTest.Run r = CliTest.hexz("cat", url);
    assertEquals(1, r.code(), r.describe());
    assertEquals(List.of("hexz: " + url + ": refused: 127.0.0.1 resolves to a restricted address (127.0.0.1);"
        + " pass --allow-restricted to allow it"), r.errLines());
  }

  @Test
  void otherExceptionsGetNoHint() {
    assertEquals("", Errors.hint(new java.io.IOException("x")));
    assertEquals("x", Errors.describe(new java.io.IOException("x")));
  }
}
