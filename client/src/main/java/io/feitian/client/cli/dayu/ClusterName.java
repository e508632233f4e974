package io.feitian.client.cli.dayu;

import picocli.CommandLine.Option;

/** The Dayu cluster a command works on (a name in dayu-server's database, not a ZooKeeper address). */
final class ClusterName {
  @Option(names = {"-c", "--cluster"}, paramLabel = "NAME", defaultValue = "${env:FEITIAN_DAYU_CLUSTER}",
      description = "The Dayu cluster; env FEITIAN_DAYU_CLUSTER.")
  String name;

  /** The name given; a usage error (exit code 2) when there is none. */
  String get() {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("--cluster is required (or FEITIAN_DAYU_CLUSTER)");
    }
    return name;
  }
}
