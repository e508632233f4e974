package io.feitian.taskworker;

import io.feitian.proto.fuxi.v1.WorkerInfo;
import io.feitian.proto.fuxi.v1.WorkerState;
import io.feitian.taskworker.process.WorkerSnapshot;

/** Supervisor snapshots on the wire. */
final class WorkerConversions {
  private WorkerConversions() {}

  static WorkerInfo toProto(WorkerSnapshot s, String nodeId) {
    return WorkerInfo.newBuilder()
        .setWorkerId(s.workerId())
        .setAppId(s.appId())
        .setGrantId(s.grantId())
        .setName(s.name())
        .setState(switch (s.state()) {
          case STARTING -> WorkerState.WORKER_STATE_STARTING;
          case RUNNING -> WorkerState.WORKER_STATE_RUNNING;
          case EXITED -> WorkerState.WORKER_STATE_EXITED;
          case KILLED -> WorkerState.WORKER_STATE_KILLED;
          case FAILED_TO_START -> WorkerState.WORKER_STATE_FAILED_TO_START;
        })
        .setPid(s.pid())
        .setExitCode(s.exitCode().orElse(0))
        .setWorkDir(s.workDir().toString())
        .setStartedAtMs(s.startedAtMs())
        .setEndedAtMs(s.endedAtMs())
        .setMessage(s.message() == null ? "" : s.message())
        .setNodeId(nodeId)
        .build();
  }
}
