package io.feitian.shennong.agent;

import com.typesafe.config.Config;
import io.feitian.common.grpc.Advertised;
import io.feitian.common.grpc.CallSettings;
import io.feitian.common.grpc.GrpcServer;
import io.feitian.common.lifecycle.Daemon;
import io.feitian.common.lifecycle.EventLoop;
import io.feitian.common.retry.Backoff;
import io.feitian.common.security.MethodPolicy;
import io.feitian.common.security.Role;
import io.feitian.common.security.SecuritySettings;
import io.feitian.common.zk.LeaderLocator;
import io.feitian.common.zk.ZkSettings;
import io.feitian.common.zk.ZooKeeperClients;
import io.feitian.proto.shennong.v1.AgentHello;
import io.feitian.proto.shennong.v1.AgentMessage;
import io.feitian.proto.shennong.v1.AgentServiceGrpc;
import io.feitian.proto.shennong.v1.AgentStatus;
import io.feitian.proto.shennong.v1.PartialReport;
import io.feitian.proto.shennong.v1.Sample;
import io.feitian.proto.shennong.v1.SessionAccepted;
import io.feitian.proto.shennong.v1.SubscriptionCommand;
import io.feitian.proto.shennong.v1.SubscriptionRefused;
import io.feitian.proto.shennong.v1.WriteRequest;
import io.feitian.proto.shennong.v1.WriteResponse;
import io.feitian.shennong.exec.SubscriptionRunner;
import io.feitian.shennong.expose.MetricsHttpServer;
import io.feitian.shennong.expose.PrometheusExposition;
import io.feitian.shennong.master.ShennongMaster;
import io.feitian.shennong.series.SeriesStore;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.zookeeper.CreateMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shennong-agent daemon: AgentService for writes, a session with the master leader, and one
 * thread (the loop) that owns the store and the subscriptions ({@link SubscriptionRunner}) so that
 * nothing in them needs a lock. Writes, the master's commands and the clock all reach the store
 * through the loop.
 */
public final class ShennongAgent implements Daemon {
  private static final Logger log = LoggerFactory.getLogger(ShennongAgent.class);
  /** Status names sent at most: the master routes to every agent whose list is truncated. */
  static final int MAX_STATUS_NAMES = 10_000;
  private static final long EVICT_INTERVAL_MS = 10_000;

  private final Config config;
  private final AgentSettings settings;
  private final SecuritySettings security;
  private final ZkSettings zkSettings;
  private final Clock clock;
  private final long incarnation;
  private final EventLoop loop;
  private final SubscriptionRunner runner;
  private CuratorFramework zk;
  private LeaderLocator locator;
  private GrpcServer server;
  private MasterLink link;
  /** The agent's entry in the cluster's registry, which a new master reads to know whom to expect. */
  private PersistentNode presence;
  private Optional<MetricsHttpServer> metrics = Optional.empty();
  private String address;

  public ShennongAgent(Config config) {
    this(config, Clock.systemUTC());
  }

  public ShennongAgent(Config config, Clock clock) {
    this.config = config;
    this.settings = AgentSettings.from(config);
    this.security = SecuritySettings.from(config);
    this.zkSettings = ZkSettings.from(config);
    this.clock = clock;
    this.incarnation = clock.millis();
    this.loop = new EventLoop("shennong-agent", e -> log.error("a task of the agent's loop failed", e));
    this.runner = new SubscriptionRunner(new SeriesStore(settings.limits()), settings.eventLog(),
        settings.evaluationDelayMin().toMillis(), settings.evaluationDelay().toMillis(), incarnation,
        new SubscriptionRunner.Outbox() {
          @Override
          public void report(PartialReport report) {
            link.send(AgentMessage.newBuilder().setReport(report).build());
          }

          @Override
          public void refused(String subscriptionId, String reason) {
            log.warn("refused subscription {}: {}", subscriptionId, reason);
            link.send(AgentMessage.newBuilder().setRefused(SubscriptionRefused.newBuilder()
                .setSubscriptionId(subscriptionId).setReason(reason)).build());
          }
        });
  }

  /** Applications and the inspector write (user); nothing else is served. */
  public static MethodPolicy methodPolicy() {
    return MethodPolicy.requiring(Role.ADMIN).with(Role.USER, AgentServiceGrpc.SERVICE_NAME + "/Write");
  }

  @Override
  public void start() throws Exception {
    zk = ZooKeeperClients.start(zkSettings);
    locator = new LeaderLocator(zk, ShennongMaster.ZK_BASE);
    server = GrpcServer.netty(settings.bind(), settings.port(), security)
        .policy(methodPolicy())
        .service(new AgentServiceGrpc.AgentServiceImplBase() {
          @Override
          public void write(WriteRequest request, StreamObserver<WriteResponse> response) {
            ShennongAgent.this.write(request, response);
          }
        })
        .build()
        .start();
    Advertised advertised = settings.advertised(server.port(), zkSettings.connect());
    address = advertised.address();
    log.info("advertising {} ({})", address, advertised.reason());
    link = new MasterLink(locator::leader, security,
        new CallSettings(security.credentials(), config.getDuration("feitian.grpc.call-deadline")), new LinkView(),
        new Backoff(settings.reconnectBackoff(), settings.reconnectBackoffMax()));
    locator.onChange(link::leaderChanged);
    link.start();
    presence = new PersistentNode(zk, CreateMode.EPHEMERAL, false,
        ShennongMaster.AGENTS_PATH + "/" + settings.nodeId(), address.getBytes(StandardCharsets.UTF_8));
    presence.start();
    metrics = settings.metrics().start(
        () -> PrometheusExposition.write(onLoop(() -> PrometheusExposition.snapshot(runner.store(), ownSamples()))),
        security);
    loop.every(EVICT_INTERVAL_MS, EVICT_INTERVAL_MS, () -> {
      runner.store().evictSilent(clock.millis());
      runner.events().evictExpired(clock.millis());
    });
  }

  private void write(WriteRequest request, StreamObserver<WriteResponse> response) {
    loop.post(() -> {
      WriteResponse answer;
      try {
        answer = runner.write(request, clock.millis());
      } catch (IllegalArgumentException e) {
        response.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
        return;
      }
      scheduleWakeup();
      response.onNext(answer);
      response.onCompleted();
    });
  }

  /** Wakes the loop when the runner next has a window to evaluate. Loop only. */
  private void scheduleWakeup() {
    loop.wakeAt(runner.nextDueMs(clock.millis()), clock.millis(), () -> {
      runner.runDue(clock.millis());
      scheduleWakeup();
    });
  }

  /** The link's view of the agent: every call hops onto the loop. */
  private final class LinkView implements MasterLink.AgentView {
    @Override
    public AgentHello hello(long epochSeen) {
      return onLoop(() -> AgentHello.newBuilder().setNodeId(settings.nodeId()).setAddress(address)
          .setRack(settings.rack()).setEpochSeen(epochSeen).setIncarnation(incarnation)
          .setRetentionMs(settings.limits().retentionMs()).setStatus(status0()).build());
    }

    @Override
    public AgentStatus status() {
      return onLoop(ShennongAgent.this::status0);
    }

    @Override
    public void accepted(SessionAccepted accepted) {
      loop.post(() -> runner.startSession(accepted.getReportGraceMs()));
    }

    @Override
    public void command(SubscriptionCommand command) {
      loop.post(() -> {
        if (command.hasAdd()) {
          runner.add(command.getAdd(), clock.millis());
          scheduleWakeup();
        } else if (command.hasRemove()) {
          runner.remove(command.getRemove().getSubscriptionId());
        }
      });
    }

    @Override
    public void ended() {
      loop.post(runner::clear);
    }
  }

  /** The agent's own figures, as /metrics shows them next to what it holds. Loop only. */
  private List<Sample> ownSamples() {
    AgentStatus s = status0();
    Map<String, Double> figures = new LinkedHashMap<>();
    figures.put("shennong.agent.series", (double) s.getSeries());
    figures.put("shennong.agent.refused.series", (double) s.getRefusedSeries());
    figures.put("shennong.agent.out.of.order.samples", (double) s.getOutOfOrderSamples());
    figures.put("shennong.agent.subscriptions", (double) s.getSubscriptions());
    figures.put("shennong.agent.events.held", (double) runner.events().size());
    figures.put("shennong.agent.events.dropped", (double) runner.events().dropped());
    figures.put("shennong.agent.master.connected", link != null && link.connected().isPresent() ? 1.0 : 0.0);
    return PrometheusExposition.figures(figures, "node", settings.nodeId());
  }

  private AgentStatus status0() {
    SeriesStore store = runner.store();
    List<String> names = store.seriesNames();
    boolean truncated = names.size() > MAX_STATUS_NAMES;
    return AgentStatus.newBuilder().addAllSeriesNames(truncated ? names.subList(0, MAX_STATUS_NAMES) : names)
        .setNamesTruncated(truncated).setSeries(store.seriesCount()).setRefusedSeries(store.refusedSeries())
        .setOutOfOrderSamples(store.outOfOrderSamples()).setSubscriptions(runner.size()).build();
  }

  private <T> T onLoop(Callable<T> work) {
    Future<T> f = loop.call(work);
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for the agent's loop", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("the agent's loop failed", e.getCause());
    }
  }

  /** This agent's advertised address (valid after start). */
  public String address() {
    return address;
  }

  public String nodeId() {
    return settings.nodeId();
  }

  /** The master this agent is in session with, if any. */
  public Optional<String> master() {
    return link == null ? Optional.empty() : link.connected();
  }

  /** Subscriptions this agent runs now (read on its loop). */
  public int subscriptions() {
    return onLoop(runner::size);
  }

  @Override
  public String describe() {
    return "shennong-agent " + settings.nodeId() + " on " + address + " (ZooKeeper " + zkSettings.connect()
        + ", cluster " + config.getString("feitian.cluster-name") + ")";
  }

  /** The port /metrics is served on, if it is. */
  public Optional<Integer> metricsPort() {
    return metrics.map(MetricsHttpServer::port);
  }

  @Override
  public void close() {
    metrics.ifPresent(MetricsHttpServer::close);
    if (link != null) {
      link.close();
    }
    if (server != null) {
      server.close();
    }
    loop.close();
    if (presence != null) {
      try {
        presence.close();
      } catch (IOException e) {
        log.warn("could not remove this agent's registry entry: {}", e.toString());
      }
    }
    if (locator != null) {
      locator.close();
    }
    if (zk != null) {
      zk.close();
    }
  }
}
