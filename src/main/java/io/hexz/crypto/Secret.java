package io.hexz.crypto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A password held as bytes that {@link #close} overwrites, never as a String (a String cannot be
 * wiped and ends up in heap dumps and logs). {@link #toString} never shows it.
 *
 * <p>Concurrency: thread-safe; {@link #close} waits for a running {@link #use}.
 */
public final class Secret implements AutoCloseable {
  /** A password file larger than this is not a password file. */
  static final int MAX_BYTES = 4096;

  private final byte[] bytes; // guarded by this
  private boolean destroyed; // guarded by this

  private Secret(byte[] bytes) {
    this.bytes = bytes;
  }

  /** A secret holding a copy of {@code password}; the caller may wipe its own array. */
  public static Secret of(byte[] password) {
    if (password.length == 0) {
      throw new IllegalArgumentException("the password is empty");
    }
    return new Secret(password.clone());
  }

  /** The UTF-8 bytes of {@code password} (for tests and the environment; the chars are wiped). */
  public static Secret of(char[] password) {
    ByteBuffer b = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
    byte[] out = new byte[b.remaining()];
    b.get(out);
    Arrays.fill(b.array(), (byte) 0);
    Arrays.fill(password, '\0');
    try {
      return of(out);
    } finally {
      Arrays.fill(out, (byte) 0);
    }
  }

  /**
   * The first line of {@code file} (a final newline, LF or CRLF, is not part of the password).
   * Refuses an empty or oversized file.
   */
  public static Secret fromFile(Path file) throws IOException {
    if (Files.size(file) > MAX_BYTES) {
      throw new IOException(file + ": a password file must be at most " + MAX_BYTES + " bytes");
    }
    byte[] raw = Files.readAllBytes(file);
    try {
      int n = 0;
      while (n < raw.length && raw[n] != '\n') {
        n++;
      }
      if (n > 0 && raw[n - 1] == '\r') {
        n--;
      }
      if (n == 0) {
        throw new IOException(file + ": the password file's first line is empty");
      }
      return of(Arrays.copyOf(raw, n));
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }

  /** Work on the password bytes without copying them out. */
  public interface Use<T, E extends Exception> {
    T apply(byte[] password) throws E;
  }

  /** Runs {@code f} with the password bytes (they must not escape {@code f}). */
  public synchronized <T, E extends Exception> T use(Use<T, E> f) throws E {
    if (destroyed) {
      throw new IllegalStateException("the password was already wiped");
    }
    return f.apply(bytes);
  }

  /** Overwrites the password. Idempotent. */
  @Override
  public synchronized void close() {
    Arrays.fill(bytes, (byte) 0);
    destroyed = true;
  }

  @Override
  public String toString() {
    return "Secret[hidden]";
  }
}
