package io.feitian.shennong.master;

import com.typesafe.config.Config;
import io.feitian.common.grpc.Advertised;
import io.feitian.common.grpc.GrpcServer;
import io.feitian.common.lifecycle.Daemon;
import io.feitian.common.security.MethodPolicy;
import io.feitian.common.security.Role;
import io.feitian.common.security.SecuritySettings;
import io.feitian.common.zk.LeaderElection;
import io.feitian.common.zk.LeaderOffice;
import io.feitian.common.zk.ZkSettings;
import io.feitian.common.zk.ZooKeeperClients;
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
 * The shennong-master daemon: a gRPC server, a ZooKeeper session and a seat in the election, as
 * fuxi-master has. While it leads, a {@link MasterTerm} holds every agent session and
 * subscription; its state is soft (agents register again, subscribers subscribe again), so a new
 * leader loads nothing. A standby refuses every call with UNAVAILABLE naming the leader.
 */
public final class ShennongMaster implements Daemon {
  private static final Logger log = LoggerFactory.getLogger(ShennongMaster.class);
  /** ZooKeeper path (under the cluster's namespace) of the election. */
  public static final String ZK_BASE = "/shennong";
  /** Where each agent keeps an ephemeral entry (its node id) while its process lives. */
  public static final String AGENTS_PATH = ZK_BASE + "/agents";

  private final Config config;
  private final MasterSettings settings;
  private final SecuritySettings security;
  private final ZkSettings zkSettings;
  private final Clock clock;
  private CuratorFramework zk;
  private GrpcServer server;
  private LeaderElection election;
  private LeaderOffice<MasterTerm> office;
  private String address;
  private Optional<MetricsHttpServer> metrics = Optional.empty();

  public ShennongMaster(Config config) {
    this(config, Clock.systemUTC());
  }

  public ShennongMaster(Config config, Clock clock) {
    this.config = config;
    this.settings = MasterSettings.from(config);
    this.security = SecuritySettings.from(config);
    this.zkSettings = ZkSettings.from(config);
    this.clock = clock;
    settings.advertised(settings.port(), zkSettings.connect()); // refuses an address no other node could reach
  }

  /** Subscribing and listing agents read (reader); agents' sessions are daemons' (admin). */
  public static MethodPolicy methodPolicy() {
    String master = MasterServiceGrpc.SERVICE_NAME + "/";
    return MethodPolicy.requiring(Role.ADMIN).with(Role.READER, master + "Subscribe", master + "ListAgents");
  }

  @Override
  public void start() throws Exception {
    zk = ZooKeeperClients.start(zkSettings);
    server = GrpcServer.netty(settings.bind(), settings.port(), security)
        .policy(methodPolicy())
        .initiallyNotServing()
        .service(new Service())
        .build();
    office = new LeaderOffice<>(server, () -> election == null ? Optional.empty() : election.currentLeader());
    server.start();
    Advertised advertised = settings.advertised(server.port(), zkSettings.connect());
    address = advertised.address();
    log.info("advertising {} ({})", address, advertised.reason());
    election = new LeaderElection(zk, ZK_BASE, address,
        LeaderElection.Listener.of(this::takeOffice, reason -> leaveOffice()));
    election.start();
    metrics = settings.metrics().start(
        () -> PrometheusExposition.write(PrometheusExposition.snapshot(ownSamples())), security);
  }

  /** What /metrics shows: whether this master leads, its epoch, and while it leads its term's figures. */
  private List<Sample> ownSamples() {
    Map<String, Double> figures = new LinkedHashMap<>();
    MasterTerm t = office.current().orElse(null);
    figures.put("shennong.master.leader", t == null ? 0.0 : 1.0);
    figures.put("shennong.master.epoch", t == null ? 0.0 : (double) t.epoch());
    if (t != null) {
      try {
        figures.putAll(t.figures().get(5, TimeUnit.SECONDS));
      } catch (Exception e) {
        // the term ended meanwhile, or is too busy: the scrape shows what is known
      }
    }
    return PrometheusExposition.figures(figures, "master", address);
  }

  /** The port /metrics is served on, if it is. */
  public Optional<Integer> metricsPort() {
    return metrics.map(MetricsHttpServer::port);
  }

  private void takeOffice(long epoch) {
    office.take(address + " with epoch " + epoch, () -> {
      List<String> present;
      try {
        present = zk.checkExists().forPath(AGENTS_PATH) == null ? List.of() : zk.getChildren().forPath(AGENTS_PATH);
      } catch (Exception e) {
        // Rare (the election just used ZooKeeper); results then lack a name for agents not yet back.
        log.warn("could not read the agents' registry; expecting no agent until it registers", e);
        present = List.of();
      }
      return new MasterTerm(epoch, settings.fanOut(), clock, present);
    });
  }

  private void leaveOffice() {
    if (office != null) {
      office.leave();
    }
  }

  private final class Service extends MasterServiceGrpc.MasterServiceImplBase {
    @Override
    public void subscribe(SubscribeRequest request, StreamObserver<SubscriptionUpdate> response) {
      try {
        office.require().subscribe(request, (ServerCallStreamObserver<SubscriptionUpdate>) response);
      } catch (RuntimeException e) {
        response.onError(e);
      }
    }

    @Override
    public StreamObserver<AgentMessage> agentSession(StreamObserver<MasterMessage> response) {
      try {
        return office.require().agentSession(response);
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
        t = office.require();
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
    return address;
  }

  public boolean isLeader() {
    return office != null && office.current().isPresent();
  }

  public long epoch() {
    return office == null ? 0 : office.current().map(MasterTerm::epoch).orElse(0L);
  }

  @Override
  public String describe() {
    return "shennong-master on " + address + " (ZooKeeper " + zkSettings.connect() + ", cluster "
        + config.getString("feitian.cluster-name") + ")";
  }

  @Override
  public void close() {
    metrics.ifPresent(MetricsHttpServer::close);
    if (election != null) {
      election.close();
    }
    leaveOffice();
    if (server != null) {
      server.close();
    }
    if (zk != null) {
      zk.close();
    }
  }
}
