package io.hexz.format;

/**
 * The parent of a thin snapshot is in none of the places looked at: the place its path hint
 * names, and that file name in each parent directory given. The message names the expected
 * parent and every place looked at. Immutable.
 */
public final class ParentNotFoundException extends ParentException {
  private static final long serialVersionUID = 1L;

  public ParentNotFoundException(String file, String reason) {
    super(file, reason);
  }
}
