package io.hexz.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import javax.crypto.AEADBadTagException;
import org.junit.jupiter.api.Test;

/** The cipher's binding of a sealed structure to its offset, domain, length and snapshot. */
class SnapshotCipherTest {
  private static Secret pw() {
    return Secret.of("pw".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void opensOnlyWhereItWasSealed() throws Exception {
    byte[] salt = Crypto.newSalt();
    try (SnapshotCipher a = Crypto.derive(pw(), KdfParams.TESTING, salt);
        SnapshotCipher same = Crypto.derive(pw(), KdfParams.TESTING, salt);
        SnapshotCipher other = Crypto.derive(pw(), KdfParams.TESTING, Crypto.newSalt())) {
      byte[] plain = "block content".getBytes(StandardCharsets.US_ASCII);
      byte[] sealed = a.seal(SnapshotCipher.Domain.PAYLOAD, 8192, plain, 0, plain.length);
      assertArrayEquals(plain, same.open(SnapshotCipher.Domain.PAYLOAD, 8192, sealed, 0, sealed.length));
      byte[] inPlace = sealed.clone();
      assertEquals(plain.length, a.open(SnapshotCipher.Domain.PAYLOAD, 8192, inPlace, 0, inPlace.length, inPlace, 0));
      assertArrayEquals(plain, java.util.Arrays.copyOf(inPlace, plain.length));
      assertThrows(AEADBadTagException.class,
          () -> a.open(SnapshotCipher.Domain.PAYLOAD, 8192 + 4096, sealed, 0, sealed.length), "moved");
      assertThrows(AEADBadTagException.class,
          () -> a.open(SnapshotCipher.Domain.INDEX, 8192, sealed, 0, sealed.length), "another domain");
      assertThrows(AEADBadTagException.class,
          () -> other.open(SnapshotCipher.Domain.PAYLOAD, 8192, sealed, 0, sealed.length), "another snapshot");
      assertThrows(AEADBadTagException.class,
          () -> a.open(SnapshotCipher.Domain.PAYLOAD, 8192, sealed, 0, sealed.length - 1), "truncated");
      try (Secret wrong = Secret.of("pW".getBytes(StandardCharsets.UTF_8));
          SnapshotCipher w = Crypto.derive(wrong, KdfParams.TESTING, salt)) {
        assertThrows(AEADBadTagException.class,
            () -> w.open(SnapshotCipher.Domain.PAYLOAD, 8192, sealed, 0, sealed.length), "wrong password");
      }
    }
  }

  @Test
  void aWipedSecretCannotBeUsed() {
    Secret s = pw();
    s.close();
    assertThrows(IllegalStateException.class, () -> Crypto.derive(s, KdfParams.TESTING, Crypto.newSalt()));
  }
}
