package io.feitian.client;

import io.feitian.proto.fuxi.v1.AppInfo;
import io.feitian.proto.fuxi.v1.AppState;
import io.feitian.proto.fuxi.v1.WorkerInfo;
import io.feitian.proto.fuxi.v1.WorkerState;

/** What the states of applications and of their workers mean to clients and masters. */
public final class AppStates {
  private AppStates() {}

  /** Not ended: waiting for its master, running, or restarting its master. */
  public static boolean active(AppInfo app) {
    AppState s = app.getState();
    return s == AppState.APP_STATE_PENDING || s == AppState.APP_STATE_RUNNING || s == AppState.APP_STATE_RESTARTING;
  }

  /** A worker process that has not ended (starting or running) by its node's account. */
  public static boolean running(WorkerInfo w) {
    return w.getState() == WorkerState.WORKER_STATE_RUNNING || w.getState() == WorkerState.WORKER_STATE_STARTING;
  }
}
