package io.feitian.dayu.server;

import io.feitian.dayu.agent.DayuAgentMain;
import io.feitian.dayu.agent.node.NodeLayout;
import io.feitian.dayu.agent.node.Supervisor;
import io.feitian.testkit.ChildJvm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Real dayu-agent processes of one cluster, each with its own root directory under {@code dir}
 * standing for a node, and its log beside it. Closing kills them and stops {@code module}'s
 * processes on every node that had an agent (they outlive their agents, as they must).
 */
final class AgentProcesses implements AutoCloseable {
  private final Path dir;
  private final String cluster;
  private final String module;
  private final Map<String, Process> agents = new LinkedHashMap<>();
  private final List<String> hosts = new ArrayList<>();

  AgentProcesses(Path dir, String cluster, String module) {
    this.dir = dir;
    this.cluster = cluster;
    this.module = module;
  }

  Path root(String host) {
    return dir.resolve(host).toAbsolutePath();
  }

  /** Whether {@code host}'s agent has opened its Watch (its log says it follows the server). */
  boolean watching(String host) {
    try {
      Path log = dir.resolve(host + "-agent.log");
      return Files.exists(log) && Files.readString(log).contains("following dayu-server");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts {@code host}'s agent against the server at {@code server}, with {@code settings} ("key=value") on top. */
  void start(String host, String server, String... settings) {
    List<String> args = new ArrayList<>(List.of("--set", "dayu.agent.server=" + server,
        "--set", "dayu.agent.cluster=" + cluster, "--set", "dayu.agent.host=" + host,
        "--set", "dayu.agent.root=" + root(host),
        "--set", "dayu.agent.reconnect-backoff=100ms", "--set", "dayu.agent.reconnect-backoff-max=1s"));
    for (String s : settings) {
      args.addAll(List.of("--set", s));
    }
    agents.put(host, ChildJvm.of(DayuAgentMain.class).log(dir.resolve(host + "-agent.log"))
        .args(args.toArray(String[]::new)).start());
    if (!hosts.contains(host)) {
      hosts.add(host);
    }
  }

  /** Kills {@code host}'s agent (the node's module runs on). */
  void kill(String host) {
    ChildJvm.kill9(agents.remove(host));
  }

  @Override
  public void close() {
    agents.values().forEach(ChildJvm::kill9);
    agents.clear();
    for (String host : hosts) {
      try {
        new Supervisor(new NodeLayout(root(host))).stop(module, Duration.ofSeconds(2));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot stop " + module + " on " + host, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
