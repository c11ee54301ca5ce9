package io.hexz.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The metadata section: a round trip keeps every field and the user keys' order; the CRC catches
 * every flipped bit; text that is not a JSON object, a bad time or an encoding over the limit is
 * refused with what is wrong; missing optional fields get their defaults.
 */
class MetadataTest {
  private static final String FILE = "/snap/m.hxz";

  private static Metadata sample(String plan) {
    Map<String, String> user = new LinkedHashMap<>();
    user.put("zeta", "last key first");
    user.put("ключ", "значение \"quoted\"\n");
    user.put("a", "");
    return new Metadata(Instant.parse("2026-01-02T03:04:05.123456789Z"), "/dev/sda", "hexz 1.0", user, plan);
  }

  @Test
  void aRoundTripKeepsEveryFieldAndTheOrderOfUserKeys() throws Exception {
    for (String plan : new String[] {null, "AQA="}) {
      Metadata m = sample(plan);
      byte[] bytes = m.encode();
      Metadata back = Metadata.decode(FILE, bytes, Checksums.crc32c(bytes, 0, bytes.length));
      assertEquals(m, back);
      assertEquals(List.copyOf(m.user().keySet()), List.copyOf(back.user().keySet()));
      assertArrayEquals(bytes, back.encode(), "encoding is deterministic");
    }
  }

  @Test
  void everyFlippedBitIsCaughtByTheChecksum() {
    byte[] bytes = sample("AQA=").encode();
    int crc = Checksums.crc32c(bytes, 0, bytes.length);
    for (int bit = 0; bit < bytes.length * 8; bit++) {
      byte[] b = bytes.clone();
      b[bit >>> 3] ^= (byte) (1 << (bit & 7));
      CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class, () -> Metadata.decode(FILE, b, crc));
      assertEquals(FILE + ": metadata checksum mismatch: damaged metadata", e.getMessage());
    }
  }

  @Test
  void textThatIsNotMetadataIsRefusedWithWhatIsWrong() {
    assertParseRefused("[1, 2]", "metadata is not a JSON object");
    assertParseRefused("", "metadata is not a JSON object");
    assertParseRefused("{\"created\": ", "metadata is not valid JSON: ");
    assertParseRefused("{\"created\": \"yesterday\"}", "metadata has a bad creation time");
  }

  @Test
  void missingFieldsGetDefaultsAndAPlanThatIsNotTextIsIgnored() throws Exception {
    Metadata m = Metadata.parse(FILE, "{\"prefetchPlan\": 12}".getBytes(StandardCharsets.UTF_8));
    assertEquals(new Metadata(Instant.EPOCH, "", "", Map.of()), m);
    assertNull(m.prefetchPlan());
  }

  @Test
  void anEncodingOverTheLimitIsRefused() {
    Metadata m = new Metadata(Instant.EPOCH, "x".repeat(Format.MAX_METADATA_SIZE), "t", Map.of());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, m::encode);
    assertTrue(e.getMessage().endsWith("bytes; the limit is " + Format.MAX_METADATA_SIZE), e.getMessage());
  }

  @Test
  void userMapsAreCopiedAndUnmodifiable() {
    Map<String, String> user = new LinkedHashMap<>(Map.of("k", "v"));
    Metadata m = new Metadata(Instant.EPOCH, "s", "t", user);
    user.put("k2", "v2");
    assertEquals(Map.of("k", "v"), m.user());
    assertThrows(UnsupportedOperationException.class, () -> m.user().put("x", "y"));
  }

  private static void assertParseRefused(String json, String message) {
    CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class,
        () -> Metadata.parse(FILE, json.getBytes(StandardCharsets.UTF_8)));
    assertTrue(e.getMessage().startsWith(FILE + ": " + message), "got \"" + e.getMessage() + "\" for " + json);
  }
}
