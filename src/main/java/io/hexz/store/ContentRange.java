package io.hexz.store;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Content-Range of a 206 answer: bytes {@code first..last} (inclusive) of an object of
 * {@code total} bytes, or {@link #UNKNOWN_TOTAL} when the server wrote "*". A parsed range is
 * possible: {@code first <= last}, and {@code last < total} when the total is known. Immutable.
 */
record ContentRange(long first, long last, long total) {
  /** The total of "bytes 0-9/*": the server did not say how long the object is. */
  static final long UNKNOWN_TOTAL = -1;

  private static final Pattern SATISFIED = Pattern.compile("bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern UNSATISFIED = Pattern.compile("bytes\\s+\\*/(\\d+)", Pattern.CASE_INSENSITIVE);

  /**
   * Parses the Content-Range header of a 206 ({@code value} is "" when there was none).
   *
   * @throws RemoteException naming {@code name}, with "(wrong Content-Range)" in its message, if
   *     the value is missing, malformed or impossible
   */
  static ContentRange parse(String name, String value) throws RemoteException {
    Matcher m = SATISFIED.matcher(value.trim());
    if (!m.matches()) {
      throw new RemoteException(name, "server answered 206 with " + (value.isEmpty() ? "no Content-Range"
          : "an unusable Content-Range '" + value + "'") + " (wrong Content-Range)");
    }
    try {
      long first = Long.parseLong(m.group(1));
      long last = Long.parseLong(m.group(2));
      long total = m.group(3).equals("*") ? UNKNOWN_TOTAL : Long.parseLong(m.group(3));
      if (last < first || (total >= 0 && last >= total)) {
        throw new RemoteException(name, "server sent an impossible Content-Range '" + value
            + "' (wrong Content-Range)");
      }
      return new ContentRange(first, last, total);
    } catch (NumberFormatException e) {
      throw new RemoteException(name, "server sent an unusable Content-Range '" + value + "' (wrong Content-Range)");
    }
  }

  /**
   * Whether {@code value} is the Content-Range of a 416 for an empty object ({@code bytes *&#47;0}), the
   * answer a server gives to a range request for an object with no bytes.
   */
  static boolean unsatisfiedForEmpty(String value) {
    Matcher m = UNSATISFIED.matcher(value);
    return m.matches() && m.group(1).chars().allMatch(c -> c == '0'); // no parse: a total past 2^63 is not 0
  }

  /** Whether the server gave the object's total length. */
  boolean totalKnown() {
    return total != UNKNOWN_TOTAL;
  }
}
