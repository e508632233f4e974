package io.feitian.shennong.monitor.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.feitian.shennong.monitor.json.MonitorSnapshot;
import java.util.List;

/**
 * What a new leader goes on from ({@link StateStore#read}): the monitor core's snapshot as the core
 * writes it, the most recent history entries, and the epoch of the leader that wrote the snapshot.
 * Its JSON ({@link #toJson}, {@link #fromJson}) is the format of before the chunked layout, when all
 * of it was one znode: read so that a leader of this version goes on from one of before.
 */
record StoredState(long epoch, List<HistoryEntry> recentHistory, MonitorSnapshot monitor) {
  /** The service's JSON: records in, records out; fields it does not know are ignored, so an older standby reads a newer leader's state. */
  static final ObjectMapper MAPPER = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  StoredState {
    recentHistory = List.copyOf(recentHistory);
  }

  String toJson() {
    try {
      ObjectNode out = MAPPER.createObjectNode();
      out.put("epoch", epoch);
      out.set("recentHistory", MAPPER.valueToTree(recentHistory));
      out.set("monitor", MAPPER.readTree(monitor.toJson()));
      return MAPPER.writeValueAsString(out);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the monitor state: " + e, e);
    }
  }

  static StoredState fromJson(String json) {
    try {
      JsonNode in = MAPPER.readTree(json);
      List<HistoryEntry> history = MAPPER.convertValue(in.path("recentHistory"), new TypeReference<>() {});
      return new StoredState(in.path("epoch").asLong(), history == null ? List.of() : history,
          MonitorSnapshot.fromJson(in.path("monitor").toString()));
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new IllegalArgumentException("not a monitor-service state: " + e.getMessage(), e);
    }
  }
}
