package io.feitian.dayu.agent.node;

import io.feitian.common.grpc.CallFailures;
import io.feitian.common.grpc.CallSettings;
import io.feitian.common.grpc.Channels;
import io.feitian.common.security.SecuritySettings;
import io.feitian.common.zk.LeaderLocator;
import io.feitian.common.zk.ZkSettings;
import io.feitian.common.zk.ZooKeeperClients;
import io.feitian.proto.fuxi.v1.ClusterServiceGrpc;
import io.feitian.proto.fuxi.v1.DrainNodeRequest;
import io.feitian.proto.fuxi.v1.NodeState;
import io.feitian.proto.fuxi.v1.NodeStatus;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.curator.framework.CuratorFramework;

/**
 * Drains a Fuxi node through fuxi-master: what the {@code drain} step does for a module whose
 * parameters name a Fuxi cluster ({@code zookeeper} and {@code cluster-name}, as task-worker's
 * do). It finds the fuxi-master leader the way Feitian clients do (its election in ZooKeeper under
 * {@code <root>/<cluster-name>/fuxi}), calls DrainNode for the node ({@code node.id}), then asks
 * again until the node holds no grants or the step's timeout passed. DrainNode is idempotent and
 * the drain is fuxi-master's hard state, so asking again after a leader failover, or after the
 * agent restarted in the middle of the step, is the same drain.
 *
 * <p>Modules without those parameters have nothing to drain. Running out of time is reported,
 * not failed (the removal goes on and the stop ends what runs). Not being able to ask at all
 * (no leader for the whole timeout, a refusal such as PERMISSION_DENIED) is thrown: the step
 * fails. A node fuxi-master does not know (never registered, or forgotten) holds nothing.
 */
public final class FuxiDrainer implements Drainer {
  /** The module parameters that name the Fuxi cluster. */
  static final String ZOOKEEPER = "zookeeper";
  static final String CLUSTER_NAME = "cluster-name";

  private final String zkRoot;
  private final SecuritySettings security;
  private final CallSettings calls;
  private final Duration poll;
  private final Clock clock;

  /**
   * @param zkRoot the ZooKeeper root Feitian's daemons use ({@code feitian.zookeeper.root})
   * @param security TLS for the calls to fuxi-master; with authentication on, the agent's token
   *     in {@code calls} needs the admin role
   * @param poll how often to ask whether the node is empty
   */
  public FuxiDrainer(String zkRoot, SecuritySettings security, CallSettings calls, Duration poll, Clock clock) {
    this.zkRoot = zkRoot.replaceAll("^/+|/+$", "");
    this.security = security;
    this.calls = calls;
    this.poll = poll;
    this.clock = clock;
  }

  @Override
  public String drain(String module, Map<String, String> values, Duration timeout) throws Exception {
    String connect = values.getOrDefault(ZOOKEEPER, "");
    String cluster = values.getOrDefault(CLUSTER_NAME, "");
    String node = values.getOrDefault("node.id", "");
    if (connect.isBlank() || cluster.isBlank()) {
      return NONE.drain(module, values, timeout) + " (" + module + " names no Fuxi cluster: no " + ZOOKEEPER
          + " and " + CLUSTER_NAME + " parameters)";
    }
    String namespace = zkRoot.isEmpty() ? cluster : zkRoot + "/" + cluster;
    Map<String, ManagedChannel> channels = new HashMap<>();
    try (CuratorFramework zk = ZooKeeperClients.start(new ZkSettings(connect, Duration.ofSeconds(10),
            Duration.ofSeconds(10), namespace));
        LeaderLocator leaders = new LeaderLocator(zk, "/fuxi")) {
      return new Wait(node, cluster, leaders, channels, timeout).run();
    } finally {
      channels.values().forEach(Channels::close);
    }
  }

  /** One drain: ask, then ask again until the node is empty or the time is up. */
  private final class Wait {
    private final String node;
    private final String cluster;
    private final LeaderLocator leaders;
    private final Map<String, ManagedChannel> channels;
    private final Duration timeout;
    private final long started = clock.millis();

    Wait(String node, String cluster, LeaderLocator leaders, Map<String, ManagedChannel> channels, Duration timeout) {
      this.node = node;
      this.cluster = cluster;
      this.leaders = leaders;
      this.channels = channels;
      this.timeout = timeout;
    }

    String run() throws InterruptedException {
      long deadline = started + timeout.toMillis();
      NodeStatus first = null;
      NodeStatus last = null;
      String unreachable = "no fuxi-master leader elected";
      while (true) {
        try {
          last = ask();
          if (first == null) {
            first = last;
          }
          // UNSPECIFIED: a new leader has not heard from the node yet; it may come back with grants.
          if (last.getState() == NodeState.NODE_STATE_LOST
              || last.getState() == NodeState.NODE_STATE_ALIVE && last.getGrants() == 0) {
            return done(first, last);
          }
        } catch (StatusRuntimeException e) {
          Status.Code code = e.getStatus().getCode();
          if (code == Status.Code.NOT_FOUND) {
            return "node " + node + " is not a node of Fuxi cluster " + cluster + ": nothing to drain";
          }
          if (!CallFailures.lostTheServer(e.getStatus()) && code != Status.Code.DEADLINE_EXCEEDED) {
            throw e;
          }
          // No leader, a standby answered, or the leader died under the call: ask the next leader.
          unreachable = code + ": " + e.getStatus().getDescription();
        }
        long now = clock.millis();
        if (now >= deadline) {
          if (first == null) {
            throw new IllegalStateException("cannot drain node " + node + ": no fuxi-master of cluster " + cluster
                + " answered for " + timeout.toMillis() + " ms (" + unreachable + ")");
          }
          return "timed out after " + timeout.toMillis() + " ms: node " + node + " still holds "
              + (last.getGrants() + " grant" + (last.getGrants() == 1 ? "" : "s")) + " (" + first.getGrants()
              + " when its drain began); the removal goes on";
        }
        Thread.sleep(Math.min(poll.toMillis(), deadline - now));
      }
    }

    private NodeStatus ask() {
      Optional<String> leader = leaders.leader();
      if (leader.isEmpty()) {
        throw Status.UNAVAILABLE.withDescription("no fuxi-master leader elected").asRuntimeException();
      }
      ManagedChannel ch = channels.computeIfAbsent(leader.get(), a -> Channels.open(a, security));
      return calls.unary(ClusterServiceGrpc.newBlockingStub(ch)).drainNode(DrainNodeRequest.newBuilder()
          .setNodeId(node).setReason("dayu: removing the node's modules").build());
    }

    private String done(NodeStatus first, NodeStatus last) {
      long waited = clock.millis() - started;
      if (last.getState() == NodeState.NODE_STATE_LOST) {
        return "node " + node + " draining in Fuxi cluster " + cluster + "; it is lost, so it holds nothing";
      }
      return first.getGrants() == 0 ? "node " + node + " draining in Fuxi cluster " + cluster + "; it held no grants"
          : "node " + node + " drained in Fuxi cluster " + cluster + ": its " + first.getGrants() + " grant"
              + (first.getGrants() == 1 ? " was" : "s were") + " returned after " + waited + " ms";
    }
  }
}
