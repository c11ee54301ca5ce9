package io.hexz.write;

/** The tool version recorded in snapshot metadata. */
public final class Version {
  private Version() {}

  public static final String VERSION = "0.1.0";
}
