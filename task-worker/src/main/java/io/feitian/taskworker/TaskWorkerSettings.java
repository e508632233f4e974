package io.feitian.taskworker;

import io.feitian.common.config.NodeId;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.feitian.common.grpc.Advertised;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/** task-worker's part of the configuration, checked. */
public record TaskWorkerSettings(
    String nodeId,
    String rack,
    String bind,
    int port,
    String advertise,
    Path workDir,
    OptionalLong cpuMillis,
    OptionalLong memoryMib,
    long reservedMemoryMib,
    Map<String, Long> named,
    Duration killGrace,
    Duration memoryCheckInterval,
    Duration reconnectBackoff,
    Duration reconnectBackoffMax,
    Duration pipelineRetention,
    List<String> threadJvmOptions) {

  public static TaskWorkerSettings from(Config config) {
    Config w = config.getConfig("task-worker");
    String nodeId = NodeId.resolve("task-worker.node-id", w.getString("node-id"));
    Map<String, Long> named = new TreeMap<>();
    for (Map.Entry<String, ConfigValue> e : w.getConfig("resources.named").root().entrySet()) {
      named.put(e.getKey(), w.getLong("resources.named.\"" + e.getKey() + "\""));
    }
    return new TaskWorkerSettings(nodeId, w.getString("rack"), w.getString("bind"), w.getInt("port"),
        w.getString("advertise"), Path.of(w.getString("work-dir")),
        autoOrLong(w, "resources.cpu-millis"), autoOrLong(w, "resources.memory-mib"),
        w.getLong("resources.reserved-memory-mib"), named,
        w.getDuration("kill-grace"), w.getDuration("memory-check-interval"),
        w.getDuration("reconnect-backoff"), w.getDuration("reconnect-backoff-max"),
        positive(w, "pipeline.retention"), threadJvmOptions(w));
  }

  /** A list, or one string of options separated by spaces (what {@code --set key=value} gives). */
  private static List<String> threadJvmOptions(Config w) {
    List<String> options = w.getValue("thread-jvm-options").valueType() == ConfigValueType.STRING
        ? Arrays.stream(w.getString("thread-jvm-options").trim().split("\\s+")).filter(o -> !o.isEmpty()).toList()
        : List.copyOf(w.getStringList("thread-jvm-options"));
    WorkerJvm.checkOptions("task-worker.thread-jvm-options", options);
    return options;
  }

  private static Duration positive(Config c, String key) {
    Duration d = c.getDuration(key);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("task-worker." + key + " must be positive, got " + d);
    }
    return d;
  }

  private static OptionalLong autoOrLong(Config c, String key) {
    String v = c.getString(key);
    if (v.equalsIgnoreCase("auto")) {
      return OptionalLong.empty();
    }
    try {
      long n = Long.parseLong(v);
      if (n <= 0) {
        throw new IllegalArgumentException("task-worker." + key + " must be positive or auto, got " + v);
      }
      return OptionalLong.of(n);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("task-worker." + key + " must be a number or auto, got '" + v + "'");
    }
  }

  /** The address to advertise once the server is bound to {@code actualPort}, and why. */
  public Advertised advertised(int actualPort, String zkConnect) {
    return Advertised.choose("task-worker.advertise", advertise, bind, actualPort, zkConnect);
  }
}
