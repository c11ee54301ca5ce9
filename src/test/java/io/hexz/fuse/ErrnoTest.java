package io.hexz.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hexz.format.CorruptSnapshotException;
import io.hexz.format.SnapshotException;
import io.hexz.overlay.OverlayException;
import io.hexz.testing.QuietHexzLog;
import java.io.IOException;
import java.nio.ReadOnlyBufferException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import ru.serce.jnrfuse.ErrorCodes;

/**
 * The errno every kind of failure becomes at the FUSE boundary: one row per branch of
 * {@link Errno#of}, and what {@link Errno#guard} hands back to native code for each.
 * EIO is logged at ERROR by design, so the class runs with hexz's logger silenced.
 */
@ExtendWith(QuietHexzLog.class)
class ErrnoTest {

  static Stream<Arguments> table() {
    return Stream.of(
        row(new Errno.FuseError(ErrorCodes.EISDIR(), "/dir"), ErrorCodes.EISDIR()),
        // A deliberate errno wins even when it is one the class table would map differently.
        row(new Errno.FuseError(ErrorCodes.EPERM(), "/disk: shrinking"), ErrorCodes.EPERM()),
        row(new NoSuchFileException("/missing"), ErrorCodes.ENOENT()),
        row(new AccessDeniedException("/secret"), ErrorCodes.EACCES()),
        row(new ReadOnlyBufferException(), ErrorCodes.EROFS()),
        row(new IllegalArgumentException("offset -1"), ErrorCodes.EINVAL()),
        // Subclasses map like their parent: instanceof, not an exact class match.
        row(new NumberFormatException("x"), ErrorCodes.EINVAL()),
        row(new OutOfMemoryError("Java heap space"), ErrorCodes.ENOMEM()),
        row(new SnapshotException("/s.hxz", "damaged"), ErrorCodes.EIO()),
        row(new CorruptSnapshotException("/s.hxz", "block 7 checksum mismatch"), ErrorCodes.EIO()),
        row(new OverlayException("/o.ovl", "damaged page log"), ErrorCodes.EIO()),
        row(new ReadOnlySourceException("/dir", "read-only"), ErrorCodes.EIO()),
        row(new IOException("disk gone"), ErrorCodes.EIO()),
        row(new java.io.UncheckedIOException(new NoSuchFileException("/gone")), ErrorCodes.ENOENT()),
        row(new java.io.UncheckedIOException(new IOException("disk gone")), ErrorCodes.EIO()),
        row(new IllegalStateException("closed"), ErrorCodes.EIO()),
        row(new StackOverflowError(), ErrorCodes.EIO()));
  }

  private static Arguments row(Throwable t, int errno) {
    return Arguments.of(t.getClass().getSimpleName(), t, errno);
  }

  @ParameterizedTest(name = "{0} -> {2}")
  @MethodSource("table")
  void everyFailureHasItsErrno(String name, Throwable t, int errno) {
    assertEquals(errno, Errno.of(t), name);
  }

  @ParameterizedTest(name = "guard: {0} -> -{2}")
  @MethodSource("table")
  void guardReturnsTheNegatedErrnoAndNeverThrows(String name, Throwable t, int errno) {
    assertEquals(-errno, Errno.guard("read", "/disk", () -> {
      throw sneaky(t);
    }), name);
  }

  @Test
  void guardReturnsTheBodysResultWhenNothingIsThrown() {
    assertEquals(4096, Errno.guard("read", "/disk", () -> 4096));
    assertEquals(0, Errno.guard("release", "/disk", () -> 0));
  }

  /** Throws any Throwable, checked or not, from a Callable body (as the JVM may). */
  @SuppressWarnings("unchecked")
  private static <T extends Throwable> RuntimeException sneaky(Throwable t) throws T {
    throw (T) t;
  }
}
