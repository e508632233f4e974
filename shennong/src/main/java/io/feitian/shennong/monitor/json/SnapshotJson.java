package io.feitian.shennong.monitor.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A {@link MonitorSnapshot} to JSON and back, through Jackson's record support. Unknown fields are
 * ignored when reading, so a newer monitor-service can add fields and an older standby still
 * takes over.
 */
final class SnapshotJson {
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private SnapshotJson() {}

  static String write(MonitorSnapshot snapshot) {
    try {
      return MAPPER.writeValueAsString(snapshot);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a snapshot holds only strings, numbers and lists; cannot write it: " + e, e);
    }
  }

  static MonitorSnapshot read(String json) {
    try {
      return MAPPER.readValue(json, MonitorSnapshot.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a monitor snapshot: " + e.getOriginalMessage(), e);
    }
  }
}
