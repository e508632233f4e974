package io.feitian.dayu.descriptor;

import java.util.Map;

/** One step of a deploy, upgrade or remove sequence, its parameters complete (defaults filled in) and normalized. */
public record Step(StepKind kind, Map<String, String> params) {
  public Step {
    params = Map.copyOf(params);
  }

  /** A duration parameter, in milliseconds. */
  public long millis(String param) {
    return ParamType.parseMillis(require(param));
  }

  public long number(String param) {
    return Long.parseLong(require(param));
  }

  private String require(String param) {
    String v = params.get(param);
    if (v == null) {
      throw new IllegalArgumentException("step " + kind.word() + " has no parameter " + param);
    }
    return v;
  }

  @Override
  public String toString() {
    return kind.word() + (params.isEmpty() ? "" : params);
  }
}
