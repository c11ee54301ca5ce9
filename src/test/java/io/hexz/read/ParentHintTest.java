package io.hexz.read;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hexz.codec.CodecType;
import io.hexz.format.Header;
import io.hexz.format.ParentException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The parent hint sits in the child, which a remote server controls: an absolute URL there must
 * not make hexz fetch from another host or bucket (with the user's S3 credentials).
 */
class ParentHintTest {
  private static Header thinWithHint(String hint) {
    return new Header(1, 0, 0, 0, 16, CodecType.values()[0], 0, 4096, 0, 0, 0, new byte[32], new byte[32], hint,
        Map.of());
  }

  @Test
  void anAbsoluteHintInARemoteChildIsNotFollowed() {
    for (String hint : new String[] {"s3://victim-bucket/private.hxz", "https://169.254.169.254/p.hxz",
        "//other.example/p.hxz"}) {
      for (String child : new String[] {"s3://public-bucket/dir/child.hxz", "https://snapshots.example/dir/child.hxz"}) {
        ParentException e = assertThrows(ParentException.class,
            () -> Chains.locate(child, "child.hxz", thinWithHint(hint), ReadOptions.DEFAULTS));
        assertTrue(e.getMessage().contains("'" + hint + "' (not on the child's host or bucket: not followed)"),
            child + " with hint " + hint + ": " + e.getMessage());
      }
    }
  }
}
