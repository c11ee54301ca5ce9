package io.hexz.store;

import java.io.IOException;
import java.time.Duration;

/**
 * A failure worth retrying (5xx, 429, connection reset, timeout, short body); {@link Retrier}
 * turns the last one into a {@link RemoteException}. Immutable.
 */
final class TransientException extends IOException {
  private static final long serialVersionUID = 1L;

  /** What went wrong, without the URI ("HTTP 503", "connection reset"). */
  final String reason;
  /** The server's Retry-After, or null. */
  final transient Duration retryAfter;

  TransientException(String reason, Duration retryAfter, Throwable cause) {
    super(reason, cause);
    this.reason = reason;
    this.retryAfter = retryAfter;
  }
}
