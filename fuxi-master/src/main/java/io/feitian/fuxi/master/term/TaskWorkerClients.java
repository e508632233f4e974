package io.feitian.fuxi.master.term;

import io.feitian.common.grpc.CallSettings;
import io.feitian.common.grpc.Channels;
import io.feitian.common.security.SecuritySettings;
import io.feitian.proto.fuxi.v1.TaskWorkerServiceGrpc;
import io.grpc.ManagedChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Channels from the master to task-workers, one per address, kept across terms. */
public final class TaskWorkerClients implements AutoCloseable {
  private final SecuritySettings security;
  private final CallSettings calls;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

  public TaskWorkerClients(SecuritySettings security, CallSettings calls) {
    this.security = security;
    this.calls = calls;
  }

  /** An async stub with credentials and the standard deadline, for one call. */
  public TaskWorkerServiceGrpc.TaskWorkerServiceStub stub(String address) {
    ManagedChannel ch = channels.computeIfAbsent(address, a -> Channels.open(a, security));
    return calls.unary(TaskWorkerServiceGrpc.newStub(ch));
  }

  /**
   * A node left (lost, or registered again elsewhere): its channel is shut
   * down without blocking; calls already on it finish.
   */
  public void forget(String address) {
    ManagedChannel ch = channels.remove(address);
    if (ch != null) {
      ch.shutdown();
    }
  }

  @Override
  public void close() {
    channels.values().forEach(Channels::close);
    channels.clear();
  }
}
