package io.hexz.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The XattrBlob of FORMAT.md: its one encoder and its one decoder agree, and bad blobs are refused. */
class XattrBlobTest {
  @Test
  void encodesTheGrammarAndDecodesItBackInOrder() throws Exception {
    Map<String, byte[]> x = new TreeMap<>(Map.of("user.b", new byte[] {1, 2, 3}, "security.capability", new byte[0],
        "user.a", "v".getBytes(StandardCharsets.UTF_8)));
    byte[] blob = TreeManifest.encodeXattrs(x);
    // count:u16 ( nameLength:u8 name valueLength:u32 value )*
    assertEquals(2 + 3 * 5 + "security.capability".length() + "user.a".length() + "user.b".length() + 1 + 3,
        blob.length);
    assertEquals(3, blob[0]);
    assertEquals(0, blob[1]);
    assertEquals("security.capability".length(), blob[2]);
    Map<String, byte[]> back = TreeManifest.decodeXattrs("f", 7, blob);
    assertEquals(List.of("security.capability", "user.a", "user.b"), List.copyOf(back.keySet()));
    for (String k : x.keySet()) {
      assertArrayEquals(x.get(k), back.get(k), k);
    }
  }

  @Test
  void aBlobOverTheLimitIsRefused() {
    Map<String, byte[]> big = Map.of("user.big", new byte[TreeManifest.XATTR_MAX]);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TreeManifest.encodeXattrs(big));
    assertTrue(e.getMessage().contains("exceed " + TreeManifest.XATTR_MAX), e.getMessage());
  }

  @Test
  void aTruncatedBlobIsCorruptionNamingTheFileAndInode() {
    byte[] blob = TreeManifest.encodeXattrs(Map.of("user.a", new byte[] {9, 9, 9, 9}));
    for (int n = 0; n < blob.length; n++) {
      byte[] cut = Arrays.copyOf(blob, n);
      CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class,
          () -> TreeManifest.decodeXattrs("snap.hxz", 42, cut), "length " + n);
      assertTrue(e.getMessage().contains("snap.hxz") && e.getMessage().contains("inode 42"), e.getMessage());
    }
  }
}
