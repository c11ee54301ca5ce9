package io.hexz.nbd;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How an {@link NbdServer} serves: how many clients at once, how long a client may take to
 * choose an export (TLS handshake included), and whether TLS is required. Immutable; the
 * builder checks each value when it is set.
 */
public final class NbdOptions {
  /** Default number of clients served at once. */
  public static final int DEFAULT_MAX_CONNECTIONS = 32;
  /** Most clients served at once (each has two threads). */
  public static final int MAX_CONNECTIONS = 1024;
  /** Default time a client has to finish its handshake. */
  public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(30);

  private final int maxConnections;
  private final Duration handshakeTimeout;
  private final NbdTls tls;

  private NbdOptions(Builder b) {
    this.maxConnections = b.maxConnections;
    this.handshakeTimeout = b.handshakeTimeout;
    this.tls = b.tls;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Clients served at once; more are closed when they connect. */
  public int maxConnections() {
    return maxConnections;
  }

  /** Time from connect until an export is chosen (options, TLS handshake); then the connection is closed. */
  public Duration handshakeTimeout() {
    return handshakeTimeout;
  }

  /** The server's TLS credentials; when present every client must start TLS before anything else. */
  public Optional<NbdTls> tls() {
    return Optional.ofNullable(tls);
  }

  /** Builds {@link NbdOptions}; each setter refuses a bad value at once. Not thread-safe. */
  public static final class Builder {
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
    private NbdTls tls;

    private Builder() {}

    public Builder maxConnections(int n) {
      if (n < 1 || n > MAX_CONNECTIONS) {
        throw new IllegalArgumentException("maxConnections (" + n + ") must be in 1.." + MAX_CONNECTIONS);
      }
      this.maxConnections = n;
      return this;
    }

    public Builder handshakeTimeout(Duration t) {
      Objects.requireNonNull(t, "handshakeTimeout");
      if (t.toMillis() < 100 || t.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException("handshakeTimeout (" + t + ") must be between 100 ms and 10 minutes");
      }
      this.handshakeTimeout = t;
      return this;
    }

    /** Requires TLS with these credentials (FORCEDTLS); null: no TLS, STARTTLS is answered unsupported. */
    public Builder tls(NbdTls credentials) {
      this.tls = credentials;
      return this;
    }

    public NbdOptions build() {
      return new NbdOptions(this);
    }
  }
}
