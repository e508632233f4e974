package io.feitian.client;

import io.feitian.common.grpc.CallSettings;
import io.feitian.common.grpc.Channels;
import io.feitian.common.grpc.LeaderHint;
import io.feitian.common.security.BearerToken;
import io.feitian.common.security.TlsSettings;
import io.feitian.common.zk.LeaderLocator;
import io.feitian.common.zk.ZkSettings;
import io.feitian.common.zk.ZooKeeperClients;
import io.feitian.proto.fuxi.v1.ClusterServiceGrpc;
import io.feitian.proto.fuxi.v1.ResourceServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.curator.framework.CuratorFramework;

/**
 * A client of a Feitian cluster. It finds the fuxi-master leader (through
 * ZooKeeper or a list of masters), follows it across failovers, and retries
 * calls refused by a standby or cut by a leader change until the deadline.
 */
public final class FeitianClient implements AutoCloseable {
  private final ClusterTarget target;
  private final TlsSettings tls;
  private final CallSettings calls;
  private final Duration retryWindow;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final CuratorFramework zk;
  private final LeaderLocator locator;
  private volatile String leader;

  /** Options: a deadline per call, a window for riding out failovers, TLS, a token. */
  public record Options(Duration deadline, Duration retryWindow, TlsSettings tls, Optional<String> token) {
    public static Options defaults() {
      return new Options(Duration.ofSeconds(10), Duration.ofSeconds(15), TlsSettings.DISABLED, Optional.empty());
    }

    public Options withToken(String t) {
      return new Options(deadline, retryWindow, tls, Optional.ofNullable(t).filter(s -> !s.isBlank()));
    }

    public Options withTls(TlsSettings t) {
      return new Options(deadline, retryWindow, t, token);
    }

    public Options withRetryWindow(Duration w) {
      return new Options(deadline, w, tls, token);
    }
  }

  public FeitianClient(ClusterTarget target, Options options) {
    this.target = target;
    this.tls = options.tls();
    this.calls = new CallSettings(options.token().map(BearerToken::new), options.deadline());
    this.retryWindow = options.retryWindow();
    if (target instanceof ClusterTarget.ZooKeeper z) {
      this.zk = ZooKeeperClients.start(new ZkSettings(z.connect(), Duration.ofSeconds(10), options.deadline(),
          z.root() + "/" + z.clusterName()));
      this.locator = new LeaderLocator(zk, "/fuxi");
    } else {
      this.zk = null;
      this.locator = null;
    }
  }

  /** Calls the leader's ClusterService, following it through failovers. */
  public <T> T cluster(Function<ClusterServiceGrpc.ClusterServiceBlockingStub, T> call) {
    return withLeader(ch -> call.apply(calls.unary(ClusterServiceGrpc.newBlockingStub(ch))));
  }

  /** An async ResourceService stub on the current leader, for a scheduling stream. */
  public ResourceServiceGrpc.ResourceServiceStub resourceStub() {
    return calls.streaming(ResourceServiceGrpc.newStub(channel(findLeader())));
  }

  /** Runs a call on the leader's channel; on UNAVAILABLE, finds the leader again and retries. */
  public <T> T withLeader(Function<ManagedChannel, T> call) {
    long deadline = System.nanoTime() + retryWindow.toNanos();
    StatusRuntimeException last = null;
    while (true) {
      String address;
      try {
        address = findLeader();
      } catch (StatusRuntimeException e) {
        last = e;
        address = null;
      }
      if (address != null) {
        try {
          return call.apply(channel(address));
        } catch (StatusRuntimeException e) {
          if (e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
            throw e;
          }
          last = e;
          leader = LeaderHint.parse(e.getStatus()).filter(h -> !h.equals(leader)).orElse(null);
        }
      }
      if (System.nanoTime() > deadline) {
        throw last != null ? last
            : Status.UNAVAILABLE.withDescription("no fuxi-master leader found").asRuntimeException();
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw Status.CANCELLED.withDescription("interrupted").asRuntimeException();
      }
    }
  }

  /** The leader's address, asking ZooKeeper or the masters when not known. */
  public String findLeader() {
    String known = leader;
    if (known != null) {
      return known;
    }
    if (locator != null) {
      known = locator.leader().orElseThrow(() ->
          Status.UNAVAILABLE.withDescription("no fuxi-master leader registered in ZooKeeper").asRuntimeException());
    } else {
      known = askMasters();
    }
    leader = known;
    return known;
  }

  /** Forgets the leader, e.g. after its stream broke. */
  public void leaderLost() {
    leader = null;
  }

  private String askMasters() {
    List<String> errors = new ArrayList<>();
    for (String m : ((ClusterTarget.Masters) target).addresses()) {
      try {
        var status = calls.unary(ClusterServiceGrpc.newBlockingStub(channel(m)))
            .getClusterStatus(io.feitian.proto.fuxi.v1.GetClusterStatusRequest.getDefaultInstance());
        if (!status.getLeaderAddress().isEmpty()) {
          return status.getLeaderAddress();
        }
      } catch (StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        if (code == Status.Code.UNAUTHENTICATED || code == Status.Code.PERMISSION_DENIED) {
          throw e; // asking another master would not help
        }
        errors.add(m + ": " + code);
      }
    }
    throw Status.UNAVAILABLE.withDescription("no master knows a leader (" + String.join(", ", errors) + ")")
        .asRuntimeException();
  }

  public ManagedChannel channel(String address) {
    return channels.computeIfAbsent(address, a -> Channels.open(a, tls));
  }

  public CallSettings callSettings() {
    return calls;
  }

  @Override
  public void close() {
    channels.values().forEach(Channels::close);
    if (zk != null) {
      zk.close();
    }
  }
}
