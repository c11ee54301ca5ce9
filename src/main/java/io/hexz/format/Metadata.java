package io.hexz.format;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The metadata section: a JSON object with creation time, source name, tool version and user
 * key/values. Immutable. Its bytes are bounded by {@link Format#MAX_METADATA_SIZE} and covered by
 * the CRC in the header.
 *
 * <pre>
 * Metadata := UTF-8 JSON {"created": ISO-8601, "source": string, "tool": string,
 *                         "user": {string: string, ...}, "prefetchPlan": string (optional)}
 * </pre>
 * {@code prefetchPlan} is a {@link PrefetchPlan}'s encoding, kept as text here: a reader decodes
 * and checks it where it uses it, and ignores one it cannot use.
 */
public record Metadata(Instant created, String source, String tool, Map<String, String> user, String prefetchPlan) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public Metadata {
    user = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(user));
  }

  /** Metadata without a prefetch plan. */
  public Metadata(Instant created, String source, String tool, Map<String, String> user) {
    this(created, source, tool, user, null);
  }

  public byte[] encode() {
    ObjectNode o = JSON.createObjectNode();
    o.put("created", created.toString());
    o.put("source", source);
    o.put("tool", tool);
    ObjectNode u = o.putObject("user");
    user.forEach(u::put);
    if (prefetchPlan != null) {
      o.put("prefetchPlan", prefetchPlan);
    }
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    if (bytes.length > Format.MAX_METADATA_SIZE) {
      throw new IllegalArgumentException("metadata is " + bytes.length + " bytes; the limit is "
          + Format.MAX_METADATA_SIZE);
    }
    return bytes;
  }

  public static Metadata decode(String file, byte[] bytes, int expectedCrc) throws CorruptSnapshotException {
    if (Checksums.crc32c(bytes, 0, bytes.length) != expectedCrc) {
      throw new CorruptSnapshotException(file, "metadata checksum mismatch: damaged metadata");
    }
    return parse(file, bytes);
  }

  /** Parses metadata bytes whose integrity the caller has already checked (CRC, or a GCM tag). */
  public static Metadata parse(String file, byte[] bytes) throws CorruptSnapshotException {
    try {
      JsonNode o = JSON.readTree(new String(bytes, StandardCharsets.UTF_8));
      if (o == null || !o.isObject()) {
        throw new CorruptSnapshotException(file, "metadata is not a JSON object");
      }
      Map<String, String> user = new LinkedHashMap<>();
      JsonNode u = o.path("user");
      for (Iterator<Map.Entry<String, JsonNode>> it = u.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        user.put(e.getKey(), e.getValue().asText());
      }
      Instant created;
      try {
        created = Instant.parse(o.path("created").asText("1970-01-01T00:00:00Z"));
      } catch (RuntimeException e) {
        throw new CorruptSnapshotException(file, "metadata has a bad creation time");
      }
      JsonNode plan = o.path("prefetchPlan");
      return new Metadata(created, o.path("source").asText(""), o.path("tool").asText(""), user,
          plan.isTextual() ? plan.asText() : null);
    } catch (JsonProcessingException e) {
      throw new CorruptSnapshotException(file, "metadata is not valid JSON: " + e.getOriginalMessage());
    }
  }
}
