package io.hexz.read;

import java.util.List;

/**
 * The result of checking a snapshot: structure, every block's checksum and hash, and the
 * identity. Immutable.
 *
 * @param file the snapshot checked
 * @param blocksChecked blocks whose content was checked
 * @param bytesChecked logical bytes covered by those blocks
 * @param problems what is wrong and where, empty when the snapshot is valid (at most
 *     {@link #MAX_PROBLEMS} listed)
 * @param problemCount how many problems were found in all
 */
public record VerifyReport(String file, long blocksChecked, long bytesChecked, List<String> problems,
    long problemCount) {
  public static final int MAX_PROBLEMS = 1000;

  public VerifyReport {
    problems = List.copyOf(problems);
  }

  public boolean ok() {
    return problemCount == 0;
  }
}
