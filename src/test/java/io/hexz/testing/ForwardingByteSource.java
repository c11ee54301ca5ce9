package io.hexz.testing;

import io.hexz.store.ByteSource;
import io.hexz.store.RemoteStats;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * A {@link ByteSource} that forwards every call to another: a test subclasses it and overrides
 * only what it observes or breaks (an injected I/O error, a count of bytes read), so every other
 * call keeps the real source's behaviour. {@link ByteSource#readFully(long, int)} is left to its
 * default, which goes through {@link #readFully(ByteBuffer, long)}, so an override sees every
 * read. Thread-safe as far as the delegate and the override are.
 */
public class ForwardingByteSource implements ByteSource {
  /** The source every call goes to. */
  protected final ByteSource delegate;

  public ForwardingByteSource(ByteSource delegate) {
    this.delegate = delegate;
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public long size() throws IOException {
    return delegate.size();
  }

  @Override
  public void readFully(ByteBuffer dst, long position) throws IOException {
    delegate.readFully(dst, position);
  }

  @Override
  public Optional<RemoteStats> remoteStats() {
    return delegate.remoteStats();
  }

  @Override
  public void close() throws IOException {
    delegate.close();
  }
}
