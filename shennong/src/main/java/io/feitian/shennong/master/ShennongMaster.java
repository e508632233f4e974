package io.feitian.shennong.master;

import com.typesafe.config.Config;
import io.feitian.common.lifecycle.Daemon;
import io.feitian.common.security.MethodPolicy;
import io.feitian.common.security.Role;
import io.feitian.common.zk.ElectedShell;
import io.feitian.proto.shennong.v1.AgentMessage;
import io.feitian.proto.shennong.v1.ListAgentsRequest;
import io.feitian.proto.shennong.v1.ListAgentsResponse;
import io.feitian.proto.shennong.v1.MasterMessage;
import io.feitian.proto.shennong.v1.MasterServiceGrpc;
import io.feitian.proto.shennong.v1.Sample;
import io.feitian.proto.shennong.v1.SubscribeRequest;
import io.feitian.proto.shennong.v1.SubscriptionUpdate;
import io.feitian.shennong.expose.MetricsHttpServer;
import io.feitian.shennong.expose.PrometheusExposition;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shennong-master daemon: an {@link ElectedShell} (a gRPC server, a ZooKeeper session and a
 * seat in the election) around its term. While it leads, a {@link MasterTerm} holds every agent
 * session and subscription; its state is soft (agents register again, subscribers subscribe
 * again), so a new leader loads nothing. A standby refuses every call with UNAVAILABLE naming the leader.
 */
public final class ShennongMaster implements Daemon {
  private static final Logger log = LoggerFactory.getLogger(ShennongMaster.class);
  /** ZooKeeper path (under the cluster's namespace) of the election. */
  public static final String ZK_BASE = "/shennong";
  /** Where each agent keeps an ephemeral entry (its node id) while its process lives. */
  public static final String AGENTS_PATH = ZK_BASE + "/agents";

  private final MasterSettings settings;
  private final Clock clock;
  private final ElectedShell<MasterTerm> shell;
  private CuratorFramework zk;
  private Optional<MetricsHttpServer> metrics = Optional.empty();

  public ShennongMaster(Config config) {
    this(config, Clock.systemUTC());
  }

  public ShennongMaster(Config config, Clock clock) {
    this.settings = MasterSettings.from(config);
    this.clock = clock;
    this.shell = new ElectedShell<>(config, ZK_BASE, settings);
  }

  /** Subscribing and listing agents read (reader); agents' sessions are daemons' (admin). */
  public static MethodPolicy methodPolicy() {
    String master = MasterServiceGrpc.SERVICE_NAME + "/";
    return MethodPolicy.requiring(Role.ADMIN).with(Role.READER, master + "Subscribe", master + "ListAgents");
  }

  @Override
  public void start() throws Exception {
    zk = shell.connect();
    shell.serve(methodPolicy(), new Service());
    shell.elect(this::beginTerm);
    metrics = settings.metrics().start(
        () -> PrometheusExposition.write(PrometheusExposition.snapshot(ownSamples())), shell.security());
    metrics.ifPresent(shell::own);
  }

  /** What /metrics shows: whether this master leads, its epoch, and while it leads its term's figures. */
  private List<Sample> ownSamples() {
    Map<String, Double> figures = new LinkedHashMap<>();
    MasterTerm t = shell.current().orElse(null);
    figures.put("shennong.master.leader", t == null ? 0.0 : 1.0);
    figures.put("shennong.master.epoch", t == null ? 0.0 : (double) t.epoch());
    if (t != null) {
      try {
        figures.putAll(t.figures().get(5, TimeUnit.SECONDS));
      } catch (Exception e) {
        // the term ended meanwhile, or is too busy: the scrape shows what is known
      }
    }
    return PrometheusExposition.figures(figures, "master", shell.address());
  }

  /** The port /metrics is served on, if it is. */
  public Optional<Integer> metricsPort() {
    return metrics.map(MetricsHttpServer::port);
  }

  /** A term loads nothing: agents register again, subscribers subscribe again. */
  private MasterTerm beginTerm(long epoch) {
    List<String> present;
    try {
      present = zk.checkExists().forPath(AGENTS_PATH) == null ? List.of() : zk.getChildren().forPath(AGENTS_PATH);
    } catch (Exception e) {
      // Rare (the election just used ZooKeeper); results then lack a name for agents not yet back.
      log.warn("could not read the agents' registry; expecting no agent until it registers", e);
      present = List.of();
    }
    return new MasterTerm(epoch, settings.fanOut(), clock, present);
  }

  private final class Service extends MasterServiceGrpc.MasterServiceImplBase {
    @Override
    public void subscribe(SubscribeRequest request, StreamObserver<SubscriptionUpdate> response) {
      try {
        shell.require().subscribe(request, (ServerCallStreamObserver<SubscriptionUpdate>) response);
      } catch (RuntimeException e) {
        response.onError(e);
      }
    }

    @Override
    public StreamObserver<AgentMessage> agentSession(StreamObserver<MasterMessage> response) {
      try {
        return shell.require().agentSession(response);
      } catch (RuntimeException e) {
        response.onError(e);
        return new StreamObserver<>() {
          @Override
          public void onNext(AgentMessage value) {}

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {}
        };
      }
    }

    @Override
    public void listAgents(ListAgentsRequest request, StreamObserver<ListAgentsResponse> response) {
      MasterTerm t;
      try {
        t = shell.require();
      } catch (RuntimeException e) {
        response.onError(e);
        return;
      }
      t.agents(request.getIncludeLost()).whenComplete((agents, error) -> {
        if (error != null) {
          response.onError(error);
        } else {
          response.onNext(ListAgentsResponse.newBuilder().addAllAgents(agents).build());
          response.onCompleted();
        }
      });
    }
  }

  /** This master's advertised address (valid after start). */
  public String address() {
    return shell.address();
  }

  public boolean isLeader() {
    return shell.isLeader();
  }

  public long epoch() {
    return shell.current().map(MasterTerm::epoch).orElse(0L);
  }

  @Override
  public String describe() {
    return shell.describe("shennong-master", "");
  }

  @Override
  public void close() {
    shell.close();
  }
}
