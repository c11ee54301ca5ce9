package io.hexz.read;

/**
 * Whether, and on whose authority, every block is checked against the SHA-256 of its leaf entry
 * and leaf pages are pinned: a signature (the snapshot's own or a signed child's, whose root
 * covers its parents' block hashes), or an encrypted child that recomputed this parent's
 * identity from its index.
 */
enum HashCheck {
  OFF(""), AUTHENTICATED("authenticated"), SIGNED("signed"); // weakest first

  private final String word;

  HashCheck(String word) {
    this.word = word;
  }

  /** The word messages use for a hash that failed ("signed", "authenticated"). */
  String word() {
    return word;
  }

  /** The stronger of two reasons (a signature's wins, for the message). */
  HashCheck and(HashCheck o) {
    return compareTo(o) >= 0 ? this : o;
  }
}
