package io.feitian.bench;

import io.feitian.client.FeitianClient;
import io.feitian.proto.fuxi.v1.GetClusterStatusRequest;
import io.feitian.proto.fuxi.v1.ListWorkersRequest;
import io.feitian.proto.fuxi.v1.TaskWorkerServiceGrpc;
import io.feitian.proto.fuxi.v1.WorkerInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Fault injection for benchmarks on a local cluster: finds a worker's
 * process through the task-worker of its node (ListWorkers) and kills it
 * with everything under it (the task-worker's launch wrapper and the JVM),
 * as kill -9 would.
 */
public final class WorkerProcesses {
  private WorkerProcesses() {}

  /** The worker as the task-worker of {@code nodeId} reports it; an IllegalStateException if it does not. */
  public static WorkerInfo find(FeitianClient client, String nodeId, String appId, String workerId) {
    String address = client.cluster(c -> c.getClusterStatus(GetClusterStatusRequest.getDefaultInstance()))
        .getNodesList().stream().filter(n -> n.getNodeId().equals(nodeId)).findFirst()
        .orElseThrow(() -> new IllegalStateException("no node " + nodeId + " in the cluster")).getAddress();
    return client.callSettings().unary(TaskWorkerServiceGrpc.newBlockingStub(client.channel(address)))
        .listWorkers(ListWorkersRequest.newBuilder().setAppId(appId).build()).getWorkersList().stream()
        .filter(w -> w.getWorkerId().equals(workerId)).findFirst()
        .orElseThrow(() -> new IllegalStateException(nodeId + " does not list worker " + workerId + " of " + appId));
  }

  /** kill -9 of a worker's process tree; returns the pid its task-worker reported. */
  public static long kill(FeitianClient client, String nodeId, String appId, String workerId) {
    long pid = find(client, nodeId, appId, workerId).getPid();
    killTree(pid);
    return pid;
  }

  /**
   * SIGKILL to a process and all its descendants, without waiting: a
   * process sent SIGKILL runs no more code, and waiting for a process that
   * is not our child (ProcessHandle.onExit polls it) would add seconds to
   * what is timed.
   */
  public static List<ProcessHandle> sigkill(long pid) {
    List<ProcessHandle> all = new ArrayList<>();
    ProcessHandle.of(pid).ifPresent(root -> {
      all.addAll(root.descendants().toList());
      all.add(root);
      all.forEach(ProcessHandle::destroyForcibly);
    });
    return all;
  }

  /** SIGKILL to a process and all its descendants, then waits up to 10 s for them to end. */
  public static void killTree(long pid) {
    for (ProcessHandle h : sigkill(pid)) {
      try {
        h.onExit().get(10, TimeUnit.SECONDS);
      } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
        // still a zombie of a parent that has not reaped it yet: it no longer runs
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
