package io.feitian.client.cli;

import io.feitian.client.local.LocalCluster;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where and how big a local cluster is: shared by `local up` and the commands that start one themselves. */
public final class LocalClusterOptions {
  @Option(names = "--dir", defaultValue = LocalCommand.DEFAULT_DIR, description = "State, data and logs; default ${DEFAULT-VALUE}.")
  Path dir;

  @Option(names = "--masters", defaultValue = "2", description = "fuxi-masters (one leads); default ${DEFAULT-VALUE}.")
  int masters;

  @Option(names = "--workers", defaultValue = "3", description = "task-workers (nodes); default ${DEFAULT-VALUE}.")
  int workers;

  @Option(names = "--zk-port", defaultValue = "2181", description = "ZooKeeper port; default ${DEFAULT-VALUE}.")
  int zkPort;

  @Option(names = "--master-port", defaultValue = "7100", description = "First fuxi-master port; default ${DEFAULT-VALUE}.")
  int masterPort;

  @Option(names = "--worker-port", defaultValue = "7200", description = "First task-worker port; default ${DEFAULT-VALUE}.")
  int workerPort;

  @Option(names = "--node-cpu", defaultValue = "4000", description = "CPU each node offers, millicores; default ${DEFAULT-VALUE}.")
  long nodeCpu;

  @Option(names = "--node-memory", defaultValue = "4096", description = "Memory each node offers, MiB; default ${DEFAULT-VALUE}.")
  long nodeMemory;

  public LocalCluster.Layout layout() {
    return new LocalCluster.Layout(dir, zkPort, masterPort, workerPort, masters, workers, nodeCpu, nodeMemory);
  }
}
