package io.feitian.service.master;

import io.feitian.proto.service.v1.GetServiceRequest;
import io.feitian.proto.service.v1.PartitionCommand;
import io.feitian.proto.service.v1.ScaleRequest;
import io.feitian.proto.service.v1.ServiceAdminGrpc;
import io.feitian.proto.service.v1.ServiceStatus;
import io.grpc.Status;
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

  ServiceAdminService(ServiceMaster master) {
    this.master = master;
  }

  private void answer(Callable<ServiceStatus> work, StreamObserver<ServiceStatus> out) {
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
    answer(master::status, out);
  }

  @Override
  public void scale(ScaleRequest r, StreamObserver<ServiceStatus> out) {
    answer(() -> master.scale(r.getRole(), r.getWorkers()), out);
  }

  @Override
  public void loadPartition(PartitionCommand r, StreamObserver<ServiceStatus> out) {
    answer(() -> master.loadPartition(r.getPartition(), r.getWorker()), out);
  }

  @Override
  public void unloadPartition(PartitionCommand r, StreamObserver<ServiceStatus> out) {
    answer(() -> master.unloadPartition(r.getPartition()), out);
  }

  @Override
  public void splitPartition(PartitionCommand r, StreamObserver<ServiceStatus> out) {
    answer(() -> master.splitPartition(r.getPartition(), r.getAt()), out);
  }

  @Override
  public void migratePartition(PartitionCommand r, StreamObserver<ServiceStatus> out) {
    answer(() -> master.migratePartition(r.getPartition(), r.getWorker()), out);
  }
}
