package io.feitian.shennong.analysis;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * How totals are grouped. The first four come from the node a sample is about (its {@code node} label and the
 * node's metadata, {@link NodeInfo}); the last three from the sample's own labels, so only series that carry them
 * have such groups (a job-master labels its series {@code job}, a service-master {@code service}, the inspector a
 * worker's processes {@code app}: a job's or a service's application id).
 */
public enum Grouping {
  /** One group, the cluster's name. */
  CLUSTER("cluster"),
  /** The node's rack; "" for a node whose rack is not known. */
  RACK("rack"),
  /** The node's role (master, worker); "" when not known. */
  ROLE("role"),
  /** The node itself; "" for samples without a {@code node} label. */
  NODE("node"),
  /** The application of a process ({@code app} label). */
  APP("app"),
  /** The job ({@code job} label). */
  JOB("job"),
  /** The service ({@code service} label). */
  SERVICE("service");

  private final String label;

  Grouping(String label) {
    this.label = label;
  }

  /** The grouping's name, which is also the label a query's selector matches groups with. */
  public String label() {
    return label;
  }

  /** Whether the group comes from the sample's labels rather than from its node. */
  boolean fromSampleLabels() {
    return ordinal() >= APP.ordinal();
  }

  public static Grouping named(String name) {
    for (Grouping g : values()) {
      if (g.label.equals(name)) {
        return g;
      }
    }
    throw new IllegalArgumentException("grouping \"" + name + "\" is unknown; use " + names());
  }

  static String names() {
    return Arrays.stream(values()).map(Grouping::label).collect(Collectors.joining(", "));
  }
}
