package io.hexz.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse.BodySubscriber;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * The body of one HTTP answer to a range request: writes a 206 body into the parts, counting
 * bytes, and completes with the parts; refuses a body longer or shorter than the range. With no
 * parts it discards the body by cancelling it (the connection is closed rather than a possibly
 * huge body read). Confined to the client's delivery (calls are serialized, as
 * {@link java.util.concurrent.Flow.Subscriber} requires).
 */
final class RangeBodySubscriber implements BodySubscriber<byte[][]> {
  private final String name;
  private final byte[][] parts;
  private final long expected;
  private final Stats stats;
  private final CompletableFuture<byte[][]> done = new CompletableFuture<>();
  private final IOException failure;
  private Flow.Subscription subscription;
  private int part;
  private int pos;
  private long received;

  private RangeBodySubscriber(String name, byte[][] parts, long expected, Stats stats, IOException failure) {
    this.name = name;
    this.parts = parts;
    this.expected = expected;
    this.stats = stats;
    this.failure = failure;
  }

  /** Fills {@code parts} (of {@code expected} bytes in all) and completes with them. */
  static RangeBodySubscriber into(String name, byte[][] parts, long expected, Stats stats) {
    return new RangeBodySubscriber(name, parts, expected, stats, null);
  }

  /** Cancels the body (closing the connection rather than reading it) and completes with null. */
  static RangeBodySubscriber discarding() {
    return new RangeBodySubscriber(null, null, 0, null, null);
  }

  /** Cancels the body and completes with {@code e}: the answer was refused from its headers. */
  static RangeBodySubscriber failing(IOException e) {
    return new RangeBodySubscriber(null, null, 0, null, e);
  }

  @Override
  public CompletionStage<byte[][]> getBody() {
    return done;
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    if (parts == null) {
      s.cancel();
      if (failure != null) {
        done.completeExceptionally(failure);
      } else {
        done.complete(null);
      }
      return;
    }
    s.request(Long.MAX_VALUE);
  }

  @Override
  public void onNext(List<ByteBuffer> items) {
    if (done.isDone()) {
      return;
    }
    for (ByteBuffer bb : items) {
      int r = bb.remaining();
      stats.bytesFetched.add(r);
      received += r;
      if (received > expected) {
        subscription.cancel();
        done.completeExceptionally(new RemoteException(name, "server sent more than the " + expected
            + " bytes of the range"));
        return;
      }
      while (bb.hasRemaining()) {
        byte[] p = parts[part];
        int n = Math.min(p.length - pos, bb.remaining());
        bb.get(p, pos, n);
        pos += n;
        if (pos == p.length) {
          part++;
          pos = 0;
        }
      }
    }
  }

  @Override
  public void onError(Throwable t) {
    if (t instanceof IOException || t instanceof UncheckedIOException) {
      done.completeExceptionally(new TransientException("connection lost after " + received + " of " + expected
          + " body bytes (" + (t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage()) + ")", null, t));
    } else {
      done.completeExceptionally(t);
    }
  }

  @Override
  public void onComplete() {
    if (parts == null || done.isDone()) {
      return;
    }
    if (received < expected) {
      done.completeExceptionally(new TransientException("short body: " + received + " of " + expected + " bytes",
          null, null));
    } else {
      done.complete(parts);
    }
  }
}
