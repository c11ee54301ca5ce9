package io.hexz.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;

/** The body subscriber alone, fed buffers by hand: exact fills across part boundaries, and every wrong length refused. */
class RangeBodySubscriberTest {
  /** Records what the subscriber asked of its subscription. */
  private static final class Subscription implements Flow.Subscription {
    long requested;
    boolean cancelled;

    @Override
    public void request(long n) {
      requested += n;
    }

    @Override
    public void cancel() {
      cancelled = true;
    }
  }

  private static ByteBuffer bytes(int from, int n) {
    ByteBuffer b = ByteBuffer.allocate(n);
    for (int i = 0; i < n; i++) {
      b.put((byte) (from + i));
    }
    return b.flip();
  }

  private static Throwable failure(RangeBodySubscriber s) {
    return assertThrows(ExecutionException.class, () -> s.getBody().toCompletableFuture().get()).getCause();
  }

  @Test
  void buffersFillThePartsInOrderAcrossTheirBoundaries() throws Exception {
    Stats stats = new Stats();
    byte[][] parts = {new byte[3], new byte[5], new byte[2]};
    RangeBodySubscriber s = RangeBodySubscriber.into("u", parts, 10, stats);
    Subscription sub = new Subscription();
    s.onSubscribe(sub);
    assertEquals(Long.MAX_VALUE, sub.requested);
    s.onNext(List.of(bytes(0, 4), bytes(4, 1)));
    s.onNext(List.of(bytes(5, 5)));
    s.onComplete();
    assertSame(parts, s.getBody().toCompletableFuture().get());
    assertArrayEquals(new byte[] {0, 1, 2}, parts[0]);
    assertArrayEquals(new byte[] {3, 4, 5, 6, 7}, parts[1]);
    assertArrayEquals(new byte[] {8, 9}, parts[2]);
    assertEquals(10, stats.bytesFetched.sum());
  }

  @Test
  void aLongBodyIsRefusedAndCancelled() {
    RangeBodySubscriber s = RangeBodySubscriber.into("u", new byte[][] {new byte[4]}, 4, new Stats());
    Subscription sub = new Subscription();
    s.onSubscribe(sub);
    s.onNext(List.of(bytes(0, 5)));
    assertTrue(sub.cancelled);
    Throwable t = failure(s);
    assertEquals(RemoteException.class, t.getClass());
    assertEquals("u: server sent more than the 4 bytes of the range", t.getMessage());
  }

  @Test
  void aShortBodyOrALostConnectionIsTransient() {
    RangeBodySubscriber s = RangeBodySubscriber.into("u", new byte[][] {new byte[4]}, 4, new Stats());
    s.onSubscribe(new Subscription());
    s.onNext(List.of(bytes(0, 3)));
    s.onComplete();
    assertEquals("short body: 3 of 4 bytes", ((TransientException) failure(s)).reason);

    s = RangeBodySubscriber.into("u", new byte[][] {new byte[4]}, 4, new Stats());
    s.onSubscribe(new Subscription());
    s.onNext(List.of(bytes(0, 1)));
    s.onError(new IOException("reset"));
    assertEquals("connection lost after 1 of 4 body bytes (reset)", ((TransientException) failure(s)).reason);
  }

  @Test
  void discardingAndFailingCancelAtOnce() throws Exception {
    RangeBodySubscriber s = RangeBodySubscriber.discarding();
    Subscription sub = new Subscription();
    s.onSubscribe(sub);
    assertTrue(sub.cancelled);
    assertEquals(0, sub.requested);
    assertNull(s.getBody().toCompletableFuture().get());

    IOException refused = new RemoteException("u", "refused");
    s = RangeBodySubscriber.failing(refused);
    sub = new Subscription();
    s.onSubscribe(sub);
    assertTrue(sub.cancelled);
    assertSame(refused, failure(s));
  }
}
