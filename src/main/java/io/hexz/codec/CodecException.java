package io.hexz.codec;

import java.io.IOException;

/** A compressed payload that does not decode to the size it claims. */
public final class CodecException extends IOException {
  private static final long serialVersionUID = 1L;

  public CodecException(String message) {
    super(message);
  }

  public CodecException(String message, Throwable cause) {
    super(message, cause);
  }
}
