package io.feitian.dayu.descriptor;

import java.util.List;

/** How the {@code health-check} step (and the rollout's health gate) tells that a module works on a node. */
public sealed interface HealthCheck {
  /** A command that exits 0 when healthy. */
  record Command(List<String> command) implements HealthCheck {
    public Command {
      command = List.copyOf(command);
    }
  }

  /** The standard gRPC health service at {@code address} reports SERVING for {@code service} ("" is the whole server). */
  record Grpc(String address, String service) implements HealthCheck {}

  /** An HTTP GET of {@code url} answers {@code expectStatus}. */
  record Http(String url, int expectStatus) implements HealthCheck {}

  /**
   * A Shennong series of the node, e.g. {@code feitian.task_worker.workers}, meets {@code condition}
   * ({@code > 0}, {@code <= 0.9}...) over the last {@code windowMillis}.
   */
  record ShennongSeries(String series, String op, double threshold, long windowMillis) implements HealthCheck {
    public boolean holds(double value) {
      return switch (op) {
        case ">" -> value > threshold;
        case ">=" -> value >= threshold;
        case "<" -> value < threshold;
        case "<=" -> value <= threshold;
        case "==" -> value == threshold;
        default -> value != threshold;
      };
    }
  }
}
