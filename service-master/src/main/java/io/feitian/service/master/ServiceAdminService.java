package io.feitian.service.master;

import io.feitian.proto.service.v1.GetServiceRequest;
import io.feitian.proto.service.v1.PartitionCommand;
import io.feitian.proto.service.v1.ScaleRequest;
import io.feitian.proto.service.v1.ServiceAdminGrpc;
import io.feitian.proto.service.v1.ServiceStatus;
import io.feitian.common.security.AuthInterceptor;
import io.feitian.common.security.MethodPolicy;
import io.feitian.common.security.Role;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;

/**
 * ServiceAdmin over gRPC: every call runs on the master's loop. Bad
 * arguments (an unknown role, partition or worker) are INVALID_ARGUMENT;
 * an operation the partition's state does not allow is FAILED_PRECONDITION.
 */
final class ServiceAdminService extends ServiceAdminGrpc.ServiceAdminImplBase {
  private final ServiceMaster master;
  private final String serviceId;
  /** Who submitted the service (AppInfo.owner). */
  private final String owner;

  ServiceAdminService(ServiceMaster master, String serviceId, String owner) {
    this.master = master;
    this.serviceId = serviceId;
    this.owner = owner;
  }

  /**
   * Reading the service needs a reader, changing it a user; the caller must
   * own it (or be a reader, for reads, or an admin).
   */
  static MethodPolicy methodPolicy() {
    return MethodPolicy.requiring(Role.USER).with(Role.READER, ServiceAdminGrpc.getGetServiceMethod().getFullMethodName());
  }

  private void read(Callable<ServiceStatus> work, StreamObserver<ServiceStatus> out) {
    answer(() -> AuthInterceptor.currentPrincipal().checkRead("service " + serviceId, owner), work, out);
  }

  private void change(Callable<ServiceStatus> work, StreamObserver<ServiceStatus> out) {
    answer(() -> AuthInterceptor.currentPrincipal().checkChange("service " + serviceId, owner), work, out);
  }

  /** Runs {@code work} on the master's loop if the caller passes {@code access}. */
  private void answer(Runnable access, Callable<ServiceStatus> work, StreamObserver<ServiceStatus> out) {
    try {
      access.run();
    } catch (StatusRuntimeException e) {
      out.onError(e);
      return;
    }
    master.call(work).whenComplete((status, error) -> {
      if (error == null) {
        out.onNext(status);
        out.onCompleted();
        return;
      }
      Throwable t = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
      if (t instanceof IllegalArgumentException) {
        out.onError(Status.INVALID_ARGUMENT.withDescription(t.getMessage()).asRuntimeException());
      } else if (t instanceof IllegalStateException) {
        out.onError(Status.FAILED_PRECONDITION.withDescription(t.getMessage()).asRuntimeException());
      } else {
        out.onError(Status.fromThrowable(t).asRuntimeException());
      }
    });
  }

  @Override
  public void getService(GetServiceRequest r, StreamObserver<ServiceStatus> out) {
    read(master::status, out);
  }

  @Override
  public void scale(ScaleRequest r, StreamObserver<ServiceStatus> out) {
    change(() -> master.scale(r.getRole(), r.getWorkers()), out);
  }

  @Override
  public void loadPartition(PartitionCommand r, StreamObserver<ServiceStatus> out) {
    change(() -> master.loadPartition(r.getPartition(), r.getWorker()), out);
  }

  @Override
  public void unloadPartition(PartitionCommand r, StreamObserver<ServiceStatus> out) {
    change(() -> master.unloadPartition(r.getPartition()), out);
  }

  @Override
  public void splitPartition(PartitionCommand r, StreamObserver<ServiceStatus> out) {
    change(() -> master.splitPartition(r.getPartition(), r.getAt()), out);
  }

  @Override
  public void migratePartition(PartitionCommand r, StreamObserver<ServiceStatus> out) {
    change(() -> master.migratePartition(r.getPartition(), r.getWorker()), out);
  }
}
