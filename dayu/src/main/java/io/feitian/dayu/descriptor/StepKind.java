package io.feitian.dayu.descriptor;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The closed set of steps a node can run to deploy, upgrade or remove a module, each with the
 * parameters it accepts and their defaults. The agent knows how to do each of them; a descriptor
 * only chooses which, in what order, with which settings.
 */
public enum StepKind {
  /** Download the package (from the server in part 1, from peers later). */
  FETCH("fetch", Map.of("timeout", "10m")),
  /** Check the package's SHA-256 against the one published with it. */
  VERIFY("verify", Map.of()),
  /** Stop the running version; SIGKILL after {@code grace}. */
  STOP("stop", Map.of("grace", "30s")),
  /** Unpack into a versioned directory and switch the {@code current} link; keep the newest {@code keep} versions. */
  INSTALL("install", Map.of("keep", "3")),
  /** Render the module's templates from its parameters. */
  CONFIGURE("configure", Map.of()),
  /** Start the process (systemd unit or supervised process) and wait until it runs. */
  START("start", Map.of("timeout", "60s")),
  /** Wait until the module's health check passes. */
  HEALTH_CHECK("health-check", Map.of("timeout", "2m", "interval", "2s")),
  /** Ask fuxi-master to stop granting on the node and wait until its work is gone, or the timeout. */
  DRAIN("drain", Map.of("timeout", "10m"));

  private static final Map<String, ParamType> PARAM_TYPES = Map.of(
      "timeout", ParamType.DURATION, "grace", ParamType.DURATION, "interval", ParamType.DURATION,
      "keep", ParamType.INT);

  private final String word;
  private final Map<String, String> defaults;

  StepKind(String word, Map<String, String> defaults) {
    this.word = word;
    this.defaults = defaults;
  }

  public String word() {
    return word;
  }

  /** The parameters this step accepts, with their defaults. */
  public Map<String, String> defaults() {
    return defaults;
  }

  static ParamType typeOf(String param) {
    return PARAM_TYPES.get(param);
  }

  public static StepKind fromWord(String word) {
    for (StepKind k : values()) {
      if (k.word.equals(word)) {
        return k;
      }
    }
    throw new IllegalArgumentException("is not a step: \"" + word + "\" (the steps are "
        + Arrays.stream(values()).map(StepKind::word).collect(Collectors.joining(", ")) + ")");
  }

  /** A step of this kind with every parameter at its default, overridden by {@code given} (already checked). */
  Step with(Map<String, String> given) {
    Map<String, String> params = new LinkedHashMap<>();
    defaults.forEach((k, v) -> params.put(k, typeOf(k).normalize(v)));
    params.putAll(given);
    return new Step(this, params);
  }
}
