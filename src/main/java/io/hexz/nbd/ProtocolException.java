package io.hexz.nbd;

import java.io.IOException;

/** A client that breaks the protocol: its connection ends (and nothing else). */
final class ProtocolException extends IOException {
  private static final long serialVersionUID = 1L;

  ProtocolException(String message) {
    super(message);
  }
}
