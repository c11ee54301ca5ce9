package io.hexz.crypto;

import io.hexz.format.EncryptionInfo;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * Key derivation for encrypted snapshots: {@code master = Argon2id(password, salt, m, t, p)} (32
 * bytes, Bouncy Castle), then HKDF-SHA256-Expand of the master into the AES-256 key ({@code info
 * "hexz-aes-key-1"}) and the identity-hiding HMAC key ({@code "hexz-id-key-1"}). Intermediate key
 * bytes are wiped as soon as the JDK objects hold them. Stateless, thread-safe.
 */
public final class Crypto {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Crypto() {}

  /** A fresh random salt for a new snapshot. */
  public static byte[] newSalt() {
    byte[] s = new byte[EncryptionInfo.SALT_SIZE];
    RANDOM.nextBytes(s);
    return s;
  }

  /** The cipher of a snapshot with this salt and these Argon2id parameters, from the password. */
  public static SnapshotCipher derive(Secret password, KdfParams p, byte[] salt) {
    AesGcmCipher.warmUp();
    byte[] master = new byte[32];
    byte[] enc = new byte[32];
    byte[] id = new byte[32];
    Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
        .withVersion(Argon2Parameters.ARGON2_VERSION_13).withSalt(salt).withMemoryAsKB(p.memoryKiB())
        .withIterations(p.iterations()).withParallelism(p.parallelism()).build();
    try {
      password.use(pw -> {
        Argon2BytesGenerator g = new Argon2BytesGenerator();
        g.init(params);
        return g.generateBytes(pw, master);
      });
      expand(master, "hexz-aes-key-1", enc);
      expand(master, "hexz-id-key-1", id);
      return new AesGcmCipher(enc, id, salt);
    } finally {
      params.clear();
      Arrays.fill(master, (byte) 0);
      Arrays.fill(enc, (byte) 0);
      Arrays.fill(id, (byte) 0);
    }
  }

  /** The cipher of an existing snapshot's encryption block. */
  public static SnapshotCipher derive(Secret password, EncryptionInfo e) {
    return derive(password, new KdfParams(e.memoryKiB(), e.iterations(), e.parallelism()), e.salt());
  }

  private static void expand(byte[] master, String info, byte[] out) {
    HKDFBytesGenerator h = new HKDFBytesGenerator(new SHA256Digest());
    h.init(HKDFParameters.skipExtractParameters(master, info.getBytes(StandardCharsets.US_ASCII)));
    h.generateBytes(out, 0, out.length);
  }
}
