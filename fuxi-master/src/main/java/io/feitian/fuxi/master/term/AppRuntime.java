package io.feitian.fuxi.master.term;

import io.feitian.fuxi.master.scheduler.Grant;
import io.feitian.proto.fuxi.v1.AppInfo;
import io.feitian.proto.fuxi.v1.AppState;
import io.feitian.proto.fuxi.v1.SchedulingEvent;
import io.grpc.stub.StreamObserver;

/** An application as the leader sees it. Touched only on the term's loop thread. */
final class AppRuntime {
  /** The hard-state record, as last written. */
  AppInfo info;
  /** The attached application master's stream, if any. */
  StreamObserver<SchedulingEvent> stream;

  // Supervision of the child master.
  Grant masterGrant;
  String masterWorkerId;
  boolean masterRequested;
  boolean launching;
  long relaunchAtMillis;
  /** Nodes this term granted the application anything on: told when it ends, to free its pipeline data. */
  final java.util.Set<String> nodesUsed = new java.util.HashSet<>();
  /** When launches of the master started failing to reach its node (0: they do not). */
  long unreachableSinceMillis;

  AppRuntime(AppInfo info) {
    this.info = info;
  }

  String id() {
    return info.getAppId();
  }

  boolean active() {
    AppState s = info.getState();
    return s == AppState.APP_STATE_PENDING || s == AppState.APP_STATE_RUNNING || s == AppState.APP_STATE_RESTARTING;
  }

  int maxRestarts(int defaultMax) {
    int m = info.getSpec().getMaxMasterRestarts();
    return m == 0 ? defaultMax : Math.max(m, 0);
  }

  void send(SchedulingEvent event) {
    if (stream == null) {
      return;
    }
    try {
      stream.onNext(event);
    } catch (RuntimeException e) {
      stream = null;
    }
  }
}
