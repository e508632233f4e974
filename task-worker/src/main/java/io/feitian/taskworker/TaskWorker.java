package io.feitian.taskworker;

import com.typesafe.config.Config;
import io.feitian.client.shennong.PeriodicReporter;
import io.feitian.client.shennong.ShennongWriter;
import io.feitian.common.grpc.Advertised;
import io.feitian.common.grpc.CallSettings;
import io.feitian.common.grpc.GrpcServer;
import io.feitian.common.grpc.StatusText;
import io.feitian.common.lifecycle.Daemon;
import io.feitian.common.resource.ResourceProtos;
import io.feitian.common.resource.ResourceVector;
import io.feitian.common.security.MethodPolicy;
import io.feitian.common.security.Role;
import io.feitian.common.security.SecuritySettings;
import io.feitian.common.pipeline.PipelineLayout;
import io.feitian.common.retry.Backoff;
import io.feitian.common.zk.LeaderLocator;
import io.feitian.common.zk.ZkSettings;
import io.feitian.common.zk.ZooKeeperClients;
import io.feitian.proto.fuxi.v1.AppInfo;
import io.feitian.proto.fuxi.v1.AppState;
import io.feitian.proto.fuxi.v1.ClusterServiceGrpc;
import io.feitian.proto.fuxi.v1.GetAppRequest;
import io.feitian.proto.fuxi.v1.Grant;
import io.feitian.proto.fuxi.v1.LaunchSpec;
import io.feitian.proto.fuxi.v1.RegisterNodeRequest;
import io.feitian.proto.fuxi.v1.WorkerInfo;
import io.feitian.taskworker.data.PipelineDataService;
import io.feitian.taskworker.grants.GrantBook;
import io.feitian.taskworker.master.MasterLink;
import io.feitian.taskworker.node.NodeResources;
import io.feitian.taskworker.process.LaunchRequest;
import io.feitian.taskworker.process.ProcessSupervisor;
import io.feitian.taskworker.process.WorkerSnapshot;
import io.feitian.taskworker.report.NodeReport;
import io.feitian.taskworker.report.NodeReporter;
import io.feitian.taskworker.rpc.TaskWorkerServiceImpl;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The task-worker daemon of one node: offers the node's resources to the
 * fuxi-master leader, holds the grants the leader gives it, runs workers
 * under them, and kills the workers of grants taken back. Its grants and
 * workers are on disk, so a restarted task-worker finds them again.
 */
public final class TaskWorker implements Daemon, MasterLink.NodeView {
  /** The node's id, and the host:port of this daemon (which serves the worker's pipeline outputs). */
  public static final String ENV_NODE_ID = "FEITIAN_NODE_ID";
  public static final String ENV_NODE_ADDRESS = "FEITIAN_NODE_ADDRESS";
  /** The node's pipeline store, where workers commit the outputs this daemon serves. */
  public static final String ENV_PIPELINE_DIR = "FEITIAN_PIPELINE_DIR";
  private static final Set<String> NODE_ENV = Set.of(ENV_NODE_ID, ENV_NODE_ADDRESS, ENV_PIPELINE_DIR);

  private static final Logger log = LoggerFactory.getLogger(TaskWorker.class);
  private static final Pattern WORKER_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  private static final String FUXI_BASE = "/fuxi";

  private final Config config;
  private final TaskWorkerSettings settings;
  private final SecuritySettings security;
  private final ZkSettings zkSettings;
  private final ResourceVector total;
  private final List<Watcher> watchers = new CopyOnWriteArrayList<>();
  private GrantBook grants;
  private ProcessSupervisor supervisor;
  private PipelineDataService pipelineData;
  /** Deadlines and credentials of this node's calls to the leader. */
  private CallSettings registrationCalls;
  private CuratorFramework zk;
  private LeaderLocator leaders;
  private GrpcServer server;
  private volatile MasterLink link;
  /** What the supervisor's listener tells of worker changes, for the reports; null when reporting is off. */
  private volatile NodeReporter nodeReport;
  private PeriodicReporter reporter;
  private String address;

  private record Watcher(String appId, Consumer<WorkerInfo> sink) {}

  public TaskWorker(Config config) {
    this.config = config;
    this.settings = TaskWorkerSettings.from(config);
    this.security = SecuritySettings.from(config);
    this.zkSettings = ZkSettings.from(config);
    settings.advertised(settings.port(), zkSettings.connect()); // refuses an address no other node could reach
    this.total = NodeResources.detect(settings);
  }

  /**
   * Every call needs the admin role: the callers are fuxi-master, application
   * masters and their workers (launching, killing and watching workers; the
   * pipeline data of jobs), all holding their node's token.
   */
  public static MethodPolicy methodPolicy() {
    return MethodPolicy.requiring(Role.ADMIN);
  }

  @Override
  public void start() throws Exception {
    Path root = settings.workDir();
    grants = new GrantBook(root.resolve("state"));
    supervisor = ProcessSupervisor.builder(root.resolve("workers"))
        .watchdogPeriod(settings.memoryCheckInterval())
        .nodeEnvironment(workerEnvironment(config, security, root.resolve("secrets")))
        .build();
    supervisor.addListener(this::workerChanged);
    supervisor.start(); // adopts the workers of an earlier incarnation
    Optional<ShennongWriter> writer =
        ShennongWriter.forDaemon(config, "task-worker", Map.of("node", settings.nodeId()));
    if (writer.isPresent()) {
      // The baseline view now, and worker changes collected from this moment on.
      nodeReport = new NodeReporter(settings.nodeId(), total, this::reportView);
      reporter = new PeriodicReporter(writer.get(), "task-worker", config.getDuration("feitian.shennong.interval"),
          nodeReport);
    }
    zk = ZooKeeperClients.start(zkSettings);
    pipelineData = new PipelineDataService(PipelineLayout.inWorkDir(root), settings.pipelineRetention(),
        Clock.systemUTC());
    pipelineData.start();
    server = GrpcServer.netty(settings.bind(), settings.port(), security)
        .policy(methodPolicy())
        .service(new TaskWorkerServiceImpl(this))
        .service(pipelineData)
        .build()
        .start();
    Advertised advertised = settings.advertised(server.port(), zkSettings.connect());
    address = advertised.address();
    log.info("advertising {} ({})", address, advertised.reason());
    leaders = new LeaderLocator(zk, FUXI_BASE);
    registrationCalls = new CallSettings(security.credentials(), config.getDuration("feitian.grpc.call-deadline"));
    link = new MasterLink(() -> {
      try {
        return leaders.leader();
      } catch (RuntimeException e) {
        log.warn("cannot read the leader from ZooKeeper: {}", e.getMessage());
        return Optional.empty();
      }
    }, security, registrationCalls, this, new Backoff(settings.reconnectBackoff(), settings.reconnectBackoffMax()));
    leaders.onChange(link::leaderChanged);
    link.start();
  }

  /**
   * What every process this node starts gets from the node, whatever its request says: the node's
   * TLS material and token, and the node's shennong-agent (or that reporting is off), so that
   * application masters and their workers report where the task-worker does.
   */
  public static Map<String, String> workerEnvironment(Config config, SecuritySettings security, Path secretsDir) {
    Map<String, String> env = new LinkedHashMap<>(security.childEnvironment(secretsDir));
    env.putAll(ShennongWriter.childEnvironment(config));
    return env;
  }

  /** What the node knows now, for its report; read like a status call, on the reporter's thread. */
  private NodeReport.View reportView() {
    MasterLink l = link;
    if (l == null) {
      return new NodeReport.View(supervisor.list(), grants.all(), Optional.empty(), 0);
    }
    // The leader first: its epoch is recorded before the link says it is registered.
    Optional<String> leader = l.leader();
    return new NodeReport.View(supervisor.list(), grants.all(), leader, l.epoch());
  }

  // ---- MasterLink.NodeView -----------------------------------------------------------------

  /**
   * Once registered, the node frees the pipeline data of applications that
   * have ended: a node cut off when its job ended missed the job-master's
   * release, and would otherwise keep the data until the retention sweep.
   */
  @Override
  public void registered(Channel leader) {
    pipelineData.onSweepThread(() -> releaseDataOfEndedApps(leader));
  }

  @Override
  public void appsEnded(List<String> appIds) {
    pipelineData.onSweepThread(() -> {
      for (String appId : appIds) {
        try {
          pipelineData.release(appId, "its application ended");
        } catch (IOException | RuntimeException e) {
          log.warn("cannot free the pipeline data of {}: {}", appId, e.toString());
        }
      }
    });
  }

  private void releaseDataOfEndedApps(Channel leader) {
    try {
      for (String appId : pipelineData.appsHeld()) {
        AppInfo app;
        try {
          app = registrationCalls.unary(ClusterServiceGrpc.newBlockingStub(leader))
              .getApp(GetAppRequest.newBuilder().setAppId(appId).build());
        } catch (StatusRuntimeException e) {
          if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
            log.info("cannot ask whether {} has ended ({}); asking again at the next registration", appId,
                StatusText.brief(e.getStatus()));
            continue;
          }
          pipelineData.release(appId, "its application is unknown to the cluster");
          continue;
        }
        AppState s = app.getState();
        if (s != AppState.APP_STATE_PENDING && s != AppState.APP_STATE_RUNNING && s != AppState.APP_STATE_RESTARTING) {
          pipelineData.release(appId, "its application ended " + s);
        }
      }
    } catch (IOException | RuntimeException e) {
      log.warn("cannot free the pipeline data of ended applications: {}", e.toString());
    }
  }

  @Override
  public RegisterNodeRequest registration() {
    return RegisterNodeRequest.newBuilder()
        .setNodeId(settings.nodeId())
        .setAddress(address)
        .setRack(settings.rack())
        .setTotal(ResourceProtos.toProto(total))
        .addAllGrants(grants.all())
        .addAllWorkers(workers(""))
        .build();
  }

  @Override
  public List<WorkerInfo> workers() {
    return workers("");
  }

  @Override
  public void granted(List<Grant> newGrants) {
    for (Grant g : newGrants) {
      grants.add(g);
    }
  }

  @Override
  public void revoked(List<Long> grantIds, String reason) {
    for (long id : grantIds) {
      grants.remove(id);
      for (WorkerSnapshot w : supervisor.list()) {
        if (w.grantId() != id) {
          continue;
        }
        if (!w.state().isEnded()) {
          log.info("killing worker {} of revoked grant {} ({})", w.workerId(), id, reason);
          supervisor.killAsync(w.workerId(), settings.killGrace()).whenComplete((s, e) -> forget(w.workerId()));
        } else {
          forget(w.workerId());
        }
      }
    }
  }

  private void forget(String workerId) {
    try {
      supervisor.forget(workerId);
    } catch (IOException | RuntimeException e) {
      log.warn("cannot clean up worker {}: {}", workerId, e.getMessage());
    }
  }

  @Override
  public boolean observeEpoch(long epoch) {
    return grants.observeEpoch(epoch);
  }

  // ---- the node API ------------------------------------------------------------------------

  /** Starts a worker under a grant this node holds. */
  public WorkerInfo launch(io.feitian.proto.fuxi.v1.LaunchRequest req, long grantDeadlineNanos)
      throws InterruptedException {
    if (req.getEpoch() != 0 && !grants.observeEpoch(req.getEpoch())) {
      throw Status.FAILED_PRECONDITION.withDescription("stale epoch " + req.getEpoch() + "; this node has seen epoch "
          + grants.epoch()).asRuntimeException();
    }
    LaunchSpec spec = req.getSpec();
    if (!WORKER_NAME.matcher(spec.getName()).matches()) {
      throw new IllegalArgumentException("spec.name must match [A-Za-z0-9_.-]{1,64}, got '" + spec.getName() + "'");
    }
    if (spec.getProgramCase() == LaunchSpec.ProgramCase.PROGRAM_NOT_SET) {
      throw new IllegalArgumentException("spec must have a process or thread program");
    }
    if (spec.getProgramCase() == LaunchSpec.ProgramCase.PROCESS
        && (spec.getProcess().getArgvCount() == 0 || spec.getProcess().getArgv(0).isBlank())) {
      throw new IllegalArgumentException("spec.process.argv must name a program");
    }
    for (String key : spec.getEnvMap().keySet()) {
      if (LaunchRequest.RESERVED_ENV.contains(key) || NODE_ENV.contains(key)) {
        throw new IllegalArgumentException("spec.env may not set " + key + ": the task-worker sets it");
      }
    }
    Grant grant = grants.awaitGrant(req.getGrantId(), grantDeadlineNanos).orElseThrow(() ->
        Status.FAILED_PRECONDITION.withDescription("grant " + req.getGrantId() + " is not held by node "
            + settings.nodeId() + " (unknown, revoked, or not announced yet)").asRuntimeException());
    if (!grant.getAppId().equals(req.getAppId())) {
      throw Status.PERMISSION_DENIED.withDescription("grant " + req.getGrantId() + " belongs to "
          + grant.getAppId() + ", not " + req.getAppId()).asRuntimeException();
    }
    List<String> argv = spec.getProgramCase() == LaunchSpec.ProgramCase.THREAD
        ? WorkerJvm.argv(spec.getThread(), grant.getShape().getMemoryMib(), settings.threadJvmOptions())
        : spec.getProcess().getArgvList();
    synchronized (this) {
      for (WorkerSnapshot w : supervisor.list()) {
        if (w.grantId() == grant.getGrantId() && !w.state().isEnded()) {
          throw Status.RESOURCE_EXHAUSTED.withDescription("grant " + grant.getGrantId() + " already runs worker "
              + w.workerId()).asRuntimeException();
        }
      }
      String workerId = req.getAppId() + "." + spec.getName() + "." + UUID.randomUUID().toString().substring(0, 8);
      // Where the worker runs, so it can advertise itself and its outputs (served by this daemon).
      Map<String, String> env = new LinkedHashMap<>(spec.getEnvMap());
      env.put(ENV_NODE_ID, settings.nodeId());
      env.put(ENV_NODE_ADDRESS, address);
      env.put(ENV_PIPELINE_DIR, PipelineLayout.inWorkDir(settings.workDir()).root().toString());
      WorkerSnapshot s = supervisor.launch(new LaunchRequest(workerId, req.getAppId(), grant.getGrantId(),
          spec.getName(), argv, env, grant.getShape().getMemoryMib())).snapshot();
      return WorkerConversions.toProto(s, settings.nodeId());
    }
  }

  public WorkerInfo kill(String workerId, Duration grace) {
    Optional<WorkerSnapshot> s = supervisor.snapshot(workerId);
    if (s.isEmpty()) {
      throw new NoSuchElementException("no worker " + workerId + " on node " + settings.nodeId());
    }
    return WorkerConversions.toProto(supervisor.kill(workerId, grace == null ? settings.killGrace() : grace),
        settings.nodeId());
  }

  /** The workers of one application, or all when appId is empty. */
  public List<WorkerInfo> workers(String appId) {
    List<WorkerInfo> out = new ArrayList<>();
    for (WorkerSnapshot s : supervisor.list()) {
      if (appId.isEmpty() || s.appId().equals(appId)) {
        out.add(WorkerConversions.toProto(s, settings.nodeId()));
      }
    }
    return out;
  }

  /** Current states first, then every change; returns how to stop watching. */
  public synchronized Runnable watch(String appId, Consumer<WorkerInfo> sink) {
    workers(appId).forEach(sink);
    Watcher w = new Watcher(appId, sink);
    watchers.add(w);
    return () -> watchers.remove(w);
  }

  private synchronized void workerChanged(WorkerSnapshot s) {
    NodeReporter r = nodeReport;
    if (r != null) {
      r.workerChanged(s);
    }
    WorkerInfo info = WorkerConversions.toProto(s, settings.nodeId());
    for (Watcher w : watchers) {
      if (w.appId().isEmpty() || w.appId().equals(s.appId())) {
        try {
          w.sink().accept(info);
        } catch (RuntimeException e) {
          watchers.remove(w);
        }
      }
    }
    if (link != null) {
      link.wake();
    }
  }

  public String address() {
    return address;
  }

  public String nodeId() {
    return settings.nodeId();
  }

  public Optional<String> leader() {
    return link == null ? Optional.empty() : link.leader();
  }

  @Override
  public String describe() {
    return "task-worker " + settings.nodeId() + " on " + address + " offering " + total + " (work dir "
        + settings.workDir() + ")";
  }

  /** Stops serving; the workers keep running and are adopted by the next start. */
  @Override
  public void close() {
    if (link != null) {
      link.close();
    }
    if (reporter != null) {
      reporter.close();
    }
    if (server != null) {
      server.close();
    }
    if (pipelineData != null) {
      pipelineData.close();
    }
    if (supervisor != null) {
      supervisor.close();
    }
    if (leaders != null) {
      leaders.close();
    }
    if (zk != null) {
      zk.close();
    }
  }

}
