package io.feitian.client.shennong;

import io.feitian.client.FeitianClient;
import io.feitian.common.grpc.LeaderHint;
import io.feitian.common.retry.Backoff;
import io.feitian.common.zk.LeaderLocator;
import io.feitian.proto.shennong.v1.AgentInfo;
import io.feitian.proto.shennong.v1.ListAgentsRequest;
import io.feitian.proto.shennong.v1.MasterServiceGrpc;
import io.feitian.proto.shennong.v1.SubscribeRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A client of Shennong's master, on a {@link FeitianClient}'s connection to the cluster (its
 * ZooKeeper session, channels, TLS and token): subscriptions that follow the master leader across
 * failovers, and the agents it knows. The leader is found in the election at {@code /shennong}.
 */
public final class MonitorClient implements AutoCloseable {
  static final String ZK_BASE = "/shennong";

  private final FeitianClient cluster;
  private final LeaderLocator locator;
  private final AtomicReference<String> leader = new AtomicReference<>();

  /** On {@code cluster}'s connection, which must be through ZooKeeper; the caller closes {@code cluster}. */
  public MonitorClient(FeitianClient cluster) {
    this.cluster = cluster;
    this.locator = cluster.locator(ZK_BASE);
  }

  /**
   * Subscribes, and keeps the subscription alive across master failovers: when the stream ends
   * because the master went away, the client finds the leader and subscribes again (the new
   * stream starts at sequence 1 with the current state, which the listener is told of). It ends
   * for good on an error the proto says not to retry, or when closed.
   */
  public Subscription subscribe(SubscribeRequest request, Subscription.Listener listener) {
    Subscription s = new Subscription(this, request, listener,
        new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2)));
    s.start();
    return s;
  }

  /** The agents the leader knows. */
  public List<AgentInfo> agents(boolean includeLost) {
    String address = findLeader();
    try {
      return cluster.calls().unary(MasterServiceGrpc.newBlockingStub(channel(address)))
          .listAgents(ListAgentsRequest.newBuilder().setIncludeLost(includeLost).build()).getAgentsList();
    } catch (StatusRuntimeException e) {
      leaderFailed(address, e.getStatus());
      throw e;
    }
  }

  /** The leader's address: as last found or hinted, or looked up. Throws UNAVAILABLE when none is known. */
  String findLeader() {
    String known = leader.get();
    if (known != null) {
      return known;
    }
    known = locator.leader().orElseThrow(() -> Status.UNAVAILABLE.withDescription(
        "no shennong-master leader registered (is shennong-master running in this cluster?)").asRuntimeException());
    leader.compareAndSet(null, known);
    return known;
  }

  /** The master failed a call with this status: follow its hint, or look the leader up next time. */
  void leaderFailed(String address, Status status) {
    leader.compareAndSet(address, LeaderHint.parse(status).filter(h -> !h.equals(address)).orElse(null));
  }

  ManagedChannel channel(String address) {
    return cluster.channel(address);
  }

  ScheduledExecutorService timer() {
    return cluster.timer();
  }

  @Override
  public void close() {
    locator.close();
  }
}
