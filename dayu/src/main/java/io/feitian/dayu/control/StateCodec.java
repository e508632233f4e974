package io.feitian.dayu.control;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.feitian.dayu.rollout.RolloutState;
import io.feitian.dayu.rollout.Strategy;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The rollout core's state as the configuration database stores it (controller_state): JSON, so
 * that an operator can read a stuck rollout's state with any SQL client, and a field added to the
 * core later reads old rows (unknown fields are an error, missing ones take Java defaults).
 */
final class StateCodec {
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

  private StateCodec() {}

  static byte[] encode(RolloutState state) {
    try {
      return JSON.writeValueAsBytes(state);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The strategy as the rollout's record shows it (the strategy column). */
  static String strategyText(Strategy strategy) {
    try {
      return JSON.writeValueAsString(strategy);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static RolloutState decode(byte[] bytes) {
    try {
      return JSON.readValue(bytes, RolloutState.class);
    } catch (IOException e) {
      throw new UncheckedIOException("unreadable rollout state: " + e.getMessage(), e);
    }
  }
}
