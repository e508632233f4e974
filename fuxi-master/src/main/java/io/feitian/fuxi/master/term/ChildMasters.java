package io.feitian.fuxi.master.term;

import io.feitian.common.app.MasterAttempt;
import io.feitian.common.grpc.CallFailures;
import io.feitian.common.resource.ResourceProtos;
import io.feitian.fuxi.master.recovery.GrantRecovery;
import io.feitian.fuxi.master.scheduler.Grant;
import io.feitian.fuxi.master.scheduler.LocalityLevel;
import io.feitian.proto.fuxi.v1.AppInfo;
import io.feitian.proto.fuxi.v1.AppState;
import io.feitian.proto.fuxi.v1.LaunchRequest;
import io.feitian.proto.fuxi.v1.LaunchResponse;
import io.feitian.proto.fuxi.v1.LaunchSpec;
import io.feitian.proto.fuxi.v1.WorkerInfo;
import io.feitian.proto.fuxi.v1.WorkerState;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts and watches application masters. Each application's master runs
 * under a grant of its own ("__master__" unit) on some task-worker; when it
 * dies it is restarted there after a backoff, or on another node if its node
 * is lost, up to the application's restart limit. After a failover the new
 * leader learns the running masters from the nodes' worker reports and
 * starts nothing twice. Runs on the term's loop.
 */
final class ChildMasters {
  private static final Logger log = LoggerFactory.getLogger(ChildMasters.class);
  static final String MASTER_WORKER_NAME = MasterAttempt.WORKER_NAME;

  private final LeaderTerm term;
  private final TaskWorkerClients workers;
  private final ChildMasterEnvironment env;

  ChildMasters(LeaderTerm term, TaskWorkerClients workers, ChildMasterEnvironment env) {
    this.term = term;
    this.workers = workers;
    this.env = env;
  }

  /** Periodic: make sure every active application has a master, or is on its way to one. */
  void tick() {
    term.appOps.settleParkedClaims();
    if (term.inRecovery()) {
      return; // nodes are still reporting which masters run
    }
    long now = term.now();
    for (AppRuntime app : term.apps.values()) {
      if (!app.active() || app.masterWorkerId != null || app.launching || now < app.relaunchAtMillis
          || masterMayStillReport(app)) {
        continue;
      }
      if (app.masterGrant == null) {
        // After a failover the master's grant may be back (reported by its node) while its master is not.
        app.masterGrant = term.scheduler.grantsOf(app.id()).stream()
            .filter(GrantRecovery::isMasterGrant).findFirst().orElse(null);
      }
      if (app.masterGrant != null) {
        launch(app);
      } else if (!app.masterRequested) {
        app.masterRequested = true;
        AppInfo info = app.info;
        term.note(term.scheduler.request(app.id(), GrantRecovery.MASTER_UNIT,
            ResourceProtos.fromProto("master_resources", info.getSpec().getMasterResources()),
            info.getSpec().getPriority(), LocalityLevel.CLUSTER, "", 1, false));
        term.deliverIssued();
      }
    }
  }

  /**
   * The master last ran on a node this term has not heard from, which may
   * still come back reporting it: starting another would run two.
   */
  private boolean masterMayStillReport(AppRuntime app) {
    String node = app.info.getMasterNodeId();
    return !node.isEmpty() && app.masterGrant == null && !term.nodes.containsKey(node)
        && !term.lostNodes.containsKey(node) && term.unseenNodesMayReturn();
  }

  void onMasterGrant(Grant g) {
    AppRuntime app = term.apps.get(g.appId());
    if (app == null || !app.active()) {
      return;
    }
    app.masterGrant = g;
    app.masterRequested = false;
  }

  void onMasterGrantGone(Grant g, String why) {
    AppRuntime app = term.apps.get(g.appId());
    if (app == null || app.masterGrant == null || app.masterGrant.grantId() != g.grantId()) {
      return;
    }
    app.masterGrant = null;
    app.unreachableSinceMillis = 0;
    if (app.active() && app.masterWorkerId != null) {
      app.masterWorkerId = null;
      masterDied(app, "master's grant revoked: " + why);
    }
  }

  private void launch(AppRuntime app) {
    Grant grant = app.masterGrant;
    String address = term.addressOf(grant.nodeId());
    int attempt = app.info.getMasterRestarts();
    String workerName = MASTER_WORKER_NAME;
    LaunchSpec spec = app.info.getSpec().getMaster().toBuilder()
        .setName(workerName)
        .putAllEnv(env.env())
        .putEnv(MasterAttempt.ENV, Integer.toString(attempt))
        .build();
    LaunchRequest req = LaunchRequest.newBuilder()
        .setEpoch(term.epoch).setAppId(app.id()).setGrantId(grant.grantId()).setSpec(spec).build();
    app.launching = true;
    log.info("launching master of {} on {} (attempt {})", app.id(), grant.nodeId(), attempt);
    workers.stub(address).launch(req, new StreamObserver<>() {
      @Override
      public void onNext(LaunchResponse r) {
        term.post(() -> launched(app, grant, r.getWorker()));
      }

      @Override
      public void onError(Throwable t) {
        term.post(() -> launchFailed(app, grant, t));
      }

      @Override
      public void onCompleted() {}
    });
  }

  /**
   * A launch the node refused is a failed start of the master and counts as a
   * restart. A launch that did not reach the node (its task-worker restarting,
   * a network cut) or whose outcome is unknown is not: the master may not have
   * started, or may run already (the grant then "already runs" it, and the
   * node's next worker report makes this term adopt it). It is retried on the
   * same grant until the node is declared lost, which revokes the grant and
   * asks for a new one; only a node that stays unreachable for longer than the
   * node timeout while still heartbeating makes it count as a failure.
   */
  private void launchFailed(AppRuntime app, Grant grant, Throwable t) {
    app.launching = false;
    if (!app.active() || app.masterGrant == null || app.masterGrant.grantId() != grant.grantId()) {
      return;
    }
    String why = "launch on " + grant.nodeId() + " failed: " + t.getMessage();
    Status status = Status.fromThrowable(t);
    Status.Code code = status.getCode();
    boolean outcomeUnknown = CallFailures.lostTheServer(status) || code == Status.Code.DEADLINE_EXCEEDED
        || code == Status.Code.RESOURCE_EXHAUSTED;
    long now = term.now();
    if (outcomeUnknown) {
      if (app.unreachableSinceMillis == 0) {
        app.unreachableSinceMillis = now;
      }
      if (now - app.unreachableSinceMillis < term.settings.nodeTimeout().toMillis()) {
        app.relaunchAtMillis = now + term.settings.backoffInitial().toMillis();
        log.info("{}; retrying on the same grant", why);
        return;
      }
    }
    app.unreachableSinceMillis = 0;
    masterDied(app, why);
  }

  private void launched(AppRuntime app, Grant grant, WorkerInfo worker) {
    app.launching = false;
    app.unreachableSinceMillis = 0;
    if (!app.active() || app.masterGrant == null || app.masterGrant.grantId() != grant.grantId()) {
      return;
    }
    app.masterWorkerId = worker.getWorkerId();
    recordMaster(app, grant.nodeId(), worker.getWorkerId(), AppState.APP_STATE_RUNNING);
  }

  private void recordMaster(AppRuntime app, String nodeId, String workerId, AppState state) {
    app.info = app.info.toBuilder().setState(state).setMasterNodeId(nodeId).setMasterWorkerId(workerId).build();
    term.hard.putApp(app.info);
  }

  /** What a node reports about its workers: finds masters, notices dead ones. */
  void onWorkers(String nodeId, List<WorkerInfo> reported) {
    for (WorkerInfo w : reported) {
      if (!MASTER_WORKER_NAME.equals(w.getName())) {
        continue;
      }
      AppRuntime app = term.apps.get(w.getAppId());
      if (app == null || !app.active()) {
        continue;
      }
      Grant held = term.grant(w.getGrantId());
      boolean alive = w.getState() == WorkerState.WORKER_STATE_RUNNING
          || w.getState() == WorkerState.WORKER_STATE_STARTING;
      if (alive && held != null && app.masterWorkerId == null && !app.launching) {
        // A master from an earlier term, still running: adopt it.
        app.masterGrant = held;
        app.masterWorkerId = w.getWorkerId();
        app.masterRequested = false;
        if (app.info.getState() != AppState.APP_STATE_RUNNING || !w.getWorkerId().equals(app.info.getMasterWorkerId())) {
          recordMaster(app, nodeId, w.getWorkerId(), AppState.APP_STATE_RUNNING);
        }
        log.info("adopted running master {} of {} on {}", w.getWorkerId(), app.id(), nodeId);
      } else if (!alive && isCurrentMaster(app, w)) {
        app.masterWorkerId = null;
        if (w.getState() == WorkerState.WORKER_STATE_EXITED && w.getExitCode() == 0) {
          term.finishApp(app, AppState.APP_STATE_SUCCEEDED, "master exited with status 0");
        } else {
          masterDied(app, describe(w));
        }
      }
    }
  }

  /**
   * The worker is the application's master: the one this term launched or
   * adopted, or, before that is known, the one hard state names (a master
   * that ended while no leader was watching).
   */
  private static boolean isCurrentMaster(AppRuntime app, WorkerInfo w) {
    if (app.masterWorkerId != null) {
      return w.getWorkerId().equals(app.masterWorkerId);
    }
    return !app.launching && w.getWorkerId().equals(app.info.getMasterWorkerId());
  }

  private static String describe(WorkerInfo w) {
    return switch (w.getState()) {
      case WORKER_STATE_EXITED -> "master exited with status " + w.getExitCode();
      case WORKER_STATE_KILLED -> "master killed" + (w.getMessage().isEmpty() ? "" : ": " + w.getMessage());
      case WORKER_STATE_FAILED_TO_START -> "master failed to start: " + w.getMessage();
      default -> "master ended: " + w.getState();
    };
  }

  /** The master is gone: restart it after a backoff, or fail the application. */
  private void masterDied(AppRuntime app, String why) {
    if (!app.active()) {
      return;
    }
    int restarts = app.info.getMasterRestarts() + 1;
    int max = app.maxRestarts(term.settings.maxMasterRestarts());
    if (app.info.getSpec().getMaxMasterRestarts() < 0 || restarts > max) {
      term.finishApp(app, AppState.APP_STATE_FAILED, why + "; gave up after " + (restarts - 1) + " restarts");
      return;
    }
    long backoff = Math.min(term.settings.backoffMax().toMillis(),
        term.settings.backoffInitial().toMillis() << Math.min(20, restarts - 1));
    app.relaunchAtMillis = term.now() + backoff;
    app.info = app.info.toBuilder().setState(AppState.APP_STATE_RESTARTING).setMasterRestarts(restarts)
        .setMessage(why).clearMasterWorkerId().build();
    term.hard.putApp(app.info);
    log.warn("master of {} died ({}); restart {} of {} in {} ms", app.id(), why, restarts, max, backoff);
    endSupersededStream(app, restarts);
  }

  /**
   * A master presumed dead (its node lost) may still run and hold its scheduling stream: it is told at
   * once that it was replaced, so that it exits now rather than when its successor attaches, which on a
   * loaded machine may take many seconds while it goes on acting on the application.
   */
  private static void endSupersededStream(AppRuntime app, int current) {
    if (app.stream == null) {
      return;
    }
    try {
      app.stream.onError(MasterAttempt.superseded(app.id(), current - 1, current));
    } catch (RuntimeException ignored) {
      // already closed
    }
    app.stream = null;
  }

  /** The application ended. Its master is killed by its node when the master's grant is revoked. */
  void forget(AppRuntime app) {
    app.masterGrant = null;
    app.masterWorkerId = null;
    app.masterRequested = false;
  }
}
