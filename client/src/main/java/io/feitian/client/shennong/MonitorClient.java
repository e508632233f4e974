package io.feitian.client.shennong;

import io.feitian.client.ClusterTarget;
import io.feitian.client.FeitianClient;
import io.feitian.common.grpc.CallSettings;
import io.feitian.common.grpc.Channels;
import io.feitian.common.grpc.LeaderHint;
import io.feitian.common.retry.Backoff;
import io.feitian.common.security.BearerToken;
import io.feitian.common.security.SecuritySettings;
import io.feitian.common.zk.LeaderLocator;
import io.feitian.common.zk.ZkSettings;
import io.feitian.common.zk.ZooKeeperClients;
import io.feitian.proto.shennong.v1.AgentInfo;
import io.feitian.proto.shennong.v1.ListAgentsRequest;
import io.feitian.proto.shennong.v1.MasterServiceGrpc;
import io.feitian.proto.shennong.v1.SubscribeRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;

/**
 * A client of Shennong's master: subscriptions that follow the leader across failovers, and the
 * agents it knows. It finds the leader through ZooKeeper (the election at {@code /shennong}) or by
 * asking a list of masters, whose standbys name the leader.
 */
public final class MonitorClient implements AutoCloseable {
  static final String ZK_BASE = "/shennong";

  private final ClusterTarget target;
  private final SecuritySettings security;
  private final CallSettings calls;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final CuratorFramework zk;
  private final LeaderLocator locator;
  private final AtomicReference<String> leader = new AtomicReference<>();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "shennong-client-timer");
    t.setDaemon(true);
    return t;
  });

  /**
   * @param target the cluster's ZooKeeper, or the shennong-masters' addresses
   *     ({@code ClusterTarget.Masters})
   */
  public MonitorClient(ClusterTarget target, FeitianClient.Options options) {
    this.target = target;
    this.security = SecuritySettings.client(options.tls(), options.token());
    this.calls = new CallSettings(options.token().map(BearerToken::new), options.deadline());
    if (target instanceof ClusterTarget.ZooKeeper z) {
      this.zk = ZooKeeperClients.start(new ZkSettings(z.connect(), Duration.ofSeconds(10), options.deadline(),
          z.root() + "/" + z.clusterName()));
      this.locator = new LeaderLocator(zk, ZK_BASE);
    } else {
      this.zk = null;
      this.locator = null;
    }
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
      return calls.unary(MasterServiceGrpc.newBlockingStub(channel(address)))
          .listAgents(ListAgentsRequest.newBuilder().setIncludeLost(includeLost).build()).getAgentsList();
    } catch (StatusRuntimeException e) {
      leaderFailed(address, e.getStatus());
      throw e;
    }
  }

  /** The leader's address: as last found, or looked up. Throws UNAVAILABLE when none is known. */
  String findLeader() {
    String known = leader.get();
    if (known != null) {
      return known;
    }
    if (locator != null) {
      known = locator.leader().orElseThrow(() -> Status.UNAVAILABLE.withDescription(
          "no shennong-master leader registered in ZooKeeper " + where()).asRuntimeException());
    } else {
      known = askMasters();
    }
    leader.compareAndSet(null, known);
    return known;
  }

  /** The master failed a call with this status: follow its hint, or look the leader up next time. */
  void leaderFailed(String address, Status status) {
    leader.compareAndSet(address, LeaderHint.parse(status).filter(h -> !h.equals(address)).orElse(null));
  }

  private String askMasters() {
    List<String> errors = new ArrayList<>();
    for (String m : ((ClusterTarget.Masters) target).addresses()) {
      try {
        calls.unary(MasterServiceGrpc.newBlockingStub(channel(m))).listAgents(ListAgentsRequest.getDefaultInstance());
        return m; // only the leader answers
      } catch (StatusRuntimeException e) {
        Optional<String> hint = LeaderHint.parse(e.getStatus());
        if (hint.isPresent()) {
          return hint.get();
        }
        errors.add(m + ": " + e.getStatus().getCode());
      }
    }
    throw Status.UNAVAILABLE.withDescription("no shennong-master knows a leader (" + String.join(", ", errors) + ")")
        .asRuntimeException();
  }

  private String where() {
    return target instanceof ClusterTarget.ZooKeeper z ? z.connect() + " under " + z.root() + "/" + z.clusterName()
        : "";
  }

  ManagedChannel channel(String address) {
    return channels.computeIfAbsent(address, a -> Channels.open(a, security));
  }

  CallSettings calls() {
    return calls;
  }

  ScheduledExecutorService timer() {
    return timer;
  }

  @Override
  public void close() {
    timer.shutdownNow();
    channels.values().forEach(Channels::close);
    if (locator != null) {
      locator.close();
    }
    if (zk != null) {
      zk.close();
    }
  }
}
