package io.hexz.testing;

import io.hexz.crypto.KdfParams;
import io.hexz.crypto.Secret;
import io.hexz.read.ReadOptions;
import io.hexz.write.WriteOptions;
import java.nio.charset.StandardCharsets;

/** Passwords and options for encrypted test snapshots (cheap Argon2 costs). Stateless. */
public final class Secrets {
  private Secrets() {}

  public static final String PASSWORD = "correct horse battery staple";

  public static Secret password(String p) {
    return Secret.of(p.getBytes(StandardCharsets.UTF_8));
  }

  /** {@code b} encrypting with {@code password} at test KDF costs. */
  public static WriteOptions.Builder encrypt(WriteOptions.Builder b, String password) {
    return b.encrypt(password(password), KdfParams.TESTING);
  }

  public static ReadOptions read(ReadOptions o, String password) {
    return o.withPassword(password(password));
  }
}
