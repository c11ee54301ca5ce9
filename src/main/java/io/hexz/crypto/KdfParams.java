package io.hexz.crypto;

import io.hexz.format.EncryptionInfo;

/**
 * Argon2id cost parameters for new encrypted snapshots. Immutable; validated on construction.
 *
 * @param memoryKiB memory per derivation, in KiB
 * @param iterations passes over that memory
 * @param parallelism lanes
 */
public record KdfParams(int memoryKiB, int iterations, int parallelism) {
  /**
   * 64 MiB, 3 passes, 1 lane: RFC 9106's second recommended setting with one lane, since a mount
   * derives on one thread and hexz machines are small; about half a second per open.
   */
  public static final KdfParams DEFAULTS = new KdfParams(64 << 10, 3, 1);

  /** Cheap parameters for tests only: a snapshot made with them is easy to brute-force. */
  public static final KdfParams TESTING = new KdfParams(64, 1, 1);

  public KdfParams {
    String bad = EncryptionInfo.checkParameters(memoryKiB, iterations, parallelism);
    if (bad != null) {
      throw new IllegalArgumentException(bad);
    }
  }
}
