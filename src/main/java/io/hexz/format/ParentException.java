package io.hexz.format;

/**
 * The parent of a thin snapshot cannot be used: missing, a different snapshot in its place, or a
 * cycle. The message names the expected parent and every place that was looked at.
 */
public class ParentException extends SnapshotException {
  private static final long serialVersionUID = 1L;

  public ParentException(String file, String reason) {
    super(file, reason);
  }
}
