package io.feitian.client;

import io.feitian.common.grpc.CallFailures;
import io.feitian.common.grpc.CallSettings;
import io.feitian.common.grpc.Channels;
import io.feitian.common.grpc.LeaderHint;
import io.feitian.common.grpc.TlsProbe;
import io.feitian.common.security.BearerToken;
import io.feitian.common.security.SecuritySettings;
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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.curator.framework.CuratorFramework;

/**
 * A client of a Feitian cluster. It finds the fuxi-master leader (through
 * ZooKeeper or a list of masters), follows it across failovers, and retries
 * calls refused by a standby or cut by a leader change until the deadline.
 */
public final class FeitianClient implements AutoCloseable {
  private static final long LOOKUP_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private final ClusterTarget target;
  private final SecuritySettings security;
  private final CallSettings calls;
  private final Duration retryWindow;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final CuratorFramework zk;
  private final LeaderLocator locator;
  /** The leader as last found or hinted; null when it has to be looked up. */
  private final AtomicReference<String> leader = new AtomicReference<>();
  private final Object lookup = new Object();
  /** The last lookup and when it ran (guarded by {@link #lookup}). */
  private String lastFound;
  private long lastLookupNanos;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "feitian-client-timer");
    t.setDaemon(true);
    return t;
  });

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
    this.security = SecuritySettings.client(options.tls(), options.token());
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

  /**
   * A client of the cluster a daemon's configuration names (through
   * ZooKeeper, with the configured TLS settings and token): what application
   * masters and their workers, started with FEITIAN_ZK and friends, use.
   */
  public static FeitianClient fromConfig(com.typesafe.config.Config config) {
    String root = config.getString("feitian.zookeeper.root").replaceAll("^/+|/+$", "");
    SecuritySettings security = SecuritySettings.from(config);
    return new FeitianClient(new ClusterTarget.ZooKeeper(config.getString("feitian.zookeeper.connect"),
        config.getString("feitian.cluster-name"), root),
        Options.defaults().withTls(security.tls()).withToken(security.token().orElse(null)));
  }

  /** Calls the leader's ClusterService, following it through failovers. */
  public <T> T cluster(Function<ClusterServiceGrpc.ClusterServiceBlockingStub, T> call) {
    return withLeader(ch -> call.apply(calls.unary(ClusterServiceGrpc.newBlockingStub(ch))));
  }

  /** How long {@link #statusFromAnyMaster} waits for one master before asking the next. */
  private static final Duration STATUS_ASK_DEADLINE = Duration.ofSeconds(2);

  /**
   * The cluster's status from whichever master answers first, without
   * waiting out a failover: the leader's full view, or, while the leader
   * does not answer, a standby's (who leads, which epoch, who stands by; no
   * nodes). {@link io.feitian.proto.fuxi.v1.ClusterStatus#getAnsweredBy} says
   * which, and {@code recovering} that a new leader's nodes are still
   * re-registering.
   */
  public io.feitian.proto.fuxi.v1.ClusterStatus statusFromAnyMaster() {
    java.util.LinkedHashSet<String> masters = new java.util.LinkedHashSet<>();
    try {
      masters.add(findLeader());
    } catch (StatusRuntimeException e) {
      // no leader known: ask every master
    }
    masters.addAll(locator != null ? locator.participants() : ((ClusterTarget.Masters) target).addresses());
    List<String> errors = new ArrayList<>();
    for (String m : masters) {
      try {
        return calls.unary(ClusterServiceGrpc.newBlockingStub(channel(m)))
            .withDeadlineAfter(STATUS_ASK_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
            .getClusterStatus(io.feitian.proto.fuxi.v1.GetClusterStatusRequest.getDefaultInstance());
      } catch (StatusRuntimeException e) {
        if (!CallFailures.lostTheServer(e.getStatus()) && e.getStatus().getCode() != Status.Code.DEADLINE_EXCEEDED) {
          throw e;
        }
        leaderFailed(m, e.getStatus());
        errors.add(m + ": " + e.getStatus().getCode() + transportHint(m, e.getStatus()));
      }
    }
    throw Status.UNAVAILABLE.withDescription(masters.isEmpty() ? "no fuxi-master registered" + where()
        : "no fuxi-master answers (" + String.join(", ", errors) + ")").asRuntimeException();
  }

  /** Where this client looks for masters, for error messages. */
  private String where() {
    return target instanceof ClusterTarget.ZooKeeper z
        ? " in ZooKeeper " + z.connect() + " under /" + z.root() + "/" + z.clusterName()
            + " (is fuxi-master running with feitian.cluster-name=" + z.clusterName() + "?)"
        : "";
  }

  /**
   * Watches the election at {@code basePath} (under the cluster's root) on this client's ZooKeeper
   * session: how a client of another elected service (Shennong's master) finds its leader. The
   * caller closes it. Throws IllegalArgumentException when the client reaches the cluster through a
   * list of masters, not ZooKeeper.
   */
  public LeaderLocator locator(String basePath) {
    if (zk == null) {
      throw new IllegalArgumentException("the cluster must be given as ZooKeeper (zk://host:port) to find the "
          + basePath.substring(1) + " leader; got a list of fuxi-masters");
    }
    return new LeaderLocator(zk, basePath);
  }

  /** The deadline and credentials of this client's calls. */
  public CallSettings calls() {
    return calls;
  }

  /** An async ResourceService stub on a master, for a scheduling stream. */
  public ResourceServiceGrpc.ResourceServiceStub resourceStub(String address) {
    return calls.streaming(ResourceServiceGrpc.newStub(channel(address)));
  }

  /** One timer thread for everything of this client that retries later (sessions' re-attaches). */
  public ScheduledExecutorService timer() {
    return timer;
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
          if (!CallFailures.lostTheServer(e.getStatus())) {
            throw e;
          }
          last = naming(address, e);
          leaderFailed(address, e.getStatus());
        }
      }
      if (System.nanoTime() > deadline) {
        if (last == null) {
          throw Status.UNAVAILABLE.withDescription("no fuxi-master leader found").asRuntimeException();
        }
        String hint = address == null ? "" : transportHint(address, last.getStatus());
        throw hint.isEmpty() ? last : last.getStatus().augmentDescription(hint.strip()).asRuntimeException();
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw Status.CANCELLED.withDescription("interrupted").asRuntimeException();
      }
    }
  }

  /** The failure, saying which master it came from ("UNAVAILABLE: io exception" alone does not). */
  /** How long {@link #transportHint} waits for a master to answer a TLS ClientHello. */
  private static final Duration TLS_PROBE_TIMEOUT = Duration.ofSeconds(1);

  /**
   * Why a master the client cannot talk to may be unreachable when it is up:
   * the two disagree on TLS. grpc-java reports a plaintext client at a TLS
   * server only as "Network closed for unknown reason", so the address is
   * probed with a TLS ClientHello. Empty when that is not the reason.
   */
  private String transportHint(String address, Status failure) {
    if (failure.getCode() != Status.Code.UNAVAILABLE) {
      return "";
    }
    boolean tlsHere = security.tls().enabled();
    // Only on the symptom, so that a master that is merely down is not probed at every retry.
    boolean closedUnexplained = String.valueOf(failure.getDescription()).contains("Network closed for unknown reason");
    if (!tlsHere && closedUnexplained && TlsProbe.speaksTls(address, TLS_PROBE_TIMEOUT)) {
      return " (" + address + " requires TLS and this client connects without it: give it the cluster's CA,"
          + " e.g. --tls-ca, or FeitianClient.Options.withTls)";
    }
    if (tlsHere && causedBy(failure.getCause(), javax.net.ssl.SSLException.class)) {
      return " (this client connects with TLS and " + address + " does not speak TLS)";
    }
    return "";
  }

  private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }

  private static StatusRuntimeException naming(String address, StatusRuntimeException e) {
    Status s = e.getStatus();
    return s.withDescription("fuxi-master " + address + ": " + s.getDescription()).withCause(s.getCause())
        .asRuntimeException();
  }

  /**
   * The leader's address: as last found, or looked up (in the watched latch,
   * or by asking the masters). When a failover makes many callers look at
   * once, one lookup answers them all for {@link #LOOKUP_INTERVAL_NANOS}.
   */
  public String findLeader() {
    String known = leader.get();
    if (known != null) {
      return known;
    }
    synchronized (lookup) {
      known = leader.get();
      if (known != null) {
        return known;
      }
      if (lastFound != null && System.nanoTime() - lastLookupNanos < LOOKUP_INTERVAL_NANOS) {
        return lastFound;
      }
      if (locator != null) {
        known = locator.leader().orElseThrow(() ->
            Status.UNAVAILABLE.withDescription("no fuxi-master leader registered" + where()).asRuntimeException());
      } else {
        known = askMasters();
      }
      lastFound = known;
      lastLookupNanos = System.nanoTime();
      leader.compareAndSet(null, known);
      return known;
    }
  }

  /**
   * Calls {@code listener} (on ZooKeeper's event thread: it must not block) when the fuxi-master
   * election changes, after forgetting the leader this client knew: sessions waiting to reconnect
   * go at once instead of at their next backoff. Nothing is called for a client given a list of
   * masters.
   */
  public void onLeaderChange(Runnable listener) {
    if (locator != null) {
      locator.onChange(() -> {
        leader.set(null);
        listener.run();
      });
    }
  }

  /**
   * The master at {@code address} failed a call or a stream with this status:
   * follow its hint to the leader if it gave one, else look the leader up
   * next time. A failure reported late, after the client moved on to another
   * master, changes nothing.
   */
  public void leaderFailed(String address, Status status) {
    String next = LeaderHint.parse(status).filter(h -> !h.equals(address)).orElse(null);
    leader.compareAndSet(address, next);
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
        errors.add(m + ": " + code + transportHint(m, e.getStatus()));
      }
    }
    throw Status.UNAVAILABLE.withDescription("no master knows a leader (" + String.join(", ", errors) + ")")
        .asRuntimeException();
  }

  /**
   * A channel to any daemon of the cluster (a master, a task-worker, an
   * application master or its workers) with this client's TLS settings and
   * token; it is closed with the client.
   */
  public ManagedChannel channel(String address) {
    return channels.computeIfAbsent(address, a -> Channels.open(a, security));
  }

  /** This client's ZooKeeper session (namespaced to the cluster), when it reaches the cluster through ZooKeeper. */
  public Optional<CuratorFramework> zookeeper() {
    return Optional.ofNullable(zk);
  }

  public CallSettings callSettings() {
    return calls;
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
