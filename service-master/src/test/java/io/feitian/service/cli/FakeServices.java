package io.feitian.service.cli;

import io.feitian.common.grpc.GrpcServer;
import io.feitian.common.security.SecuritySettings;
import io.feitian.proto.fuxi.v1.AppInfo;
import io.feitian.proto.fuxi.v1.AppSpec;
import io.feitian.proto.fuxi.v1.AppState;
import io.feitian.proto.fuxi.v1.ClusterServiceGrpc;
import io.feitian.proto.fuxi.v1.ClusterStatus;
import io.feitian.proto.fuxi.v1.GetAppRequest;
import io.feitian.proto.fuxi.v1.GetClusterStatusRequest;
import io.feitian.proto.fuxi.v1.KillAppRequest;
import io.feitian.proto.fuxi.v1.ListAppsRequest;
import io.feitian.proto.fuxi.v1.ListAppsResponse;
import io.feitian.proto.fuxi.v1.SubmitAppRequest;
import io.feitian.proto.fuxi.v1.SubmitAppResponse;
import io.feitian.proto.service.v1.GetServiceRequest;
import io.feitian.proto.service.v1.PartitionCommand;
import io.feitian.proto.service.v1.PartitionRecord;
import io.feitian.proto.service.v1.PartitionState;
import io.feitian.proto.service.v1.RoleStatus;
import io.feitian.proto.service.v1.ScaleRequest;
import io.feitian.proto.service.v1.ServiceAdminGrpc;
import io.feitian.proto.service.v1.ServiceStatus;
import io.feitian.proto.service.v1.WorkerInfo;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fuxi-master's ClusterService and a service-master's ServiceAdmin on
 * loopback, answering from what the test put in them: enough to drive the
 * service commands without a cluster.
 */
final class FakeServices implements AutoCloseable {
  static final ServiceStatus KV = ServiceStatus.newBuilder().setAppId("app-2").setName("kv")
      .addRoles(RoleStatus.newBuilder().setName("store").setWanted(3).setRunning(2))
      .addWorkers(WorkerInfo.newBuilder().setWorkerId("w-1").setRole("store").setNodeId("node-a")
          .setEndpoint("127.0.0.1:9001").setPartitions(2))
      .addWorkers(WorkerInfo.newBuilder().setWorkerId("w-2").setRole("store").setNodeId("node-b").setPartitions(1)
          .setLost(true))
      .addPartitions(record("p0", "", "40000000", "w-1", 3, PartitionState.PARTITION_STATE_SERVING, ""))
      .addPartitions(record("p1", "40000000", "80000000", "w-1", 4, PartitionState.PARTITION_STATE_UNLOADING, "w-2"))
      .addPartitions(record("p2", "80000000", "c0000000", "w-2", 2, PartitionState.PARTITION_STATE_SERVING, ""))
      .addPartitions(record("p3", "c0000000", "", "", 0, PartitionState.PARTITION_STATE_UNASSIGNED, ""))
      .build();

  static PartitionRecord record(String id, String start, String end, String owner, long epoch, PartitionState state,
      String next) {
    return PartitionRecord.newBuilder().setId(id).setStart(start).setEnd(end).setOwner(owner).setEpoch(epoch)
        .setState(state).setNext(next).build();
  }

  final Fuxi fuxi = new Fuxi();
  final Admin admin = new Admin();
  private final GrpcServer fuxiServer;
  private final GrpcServer adminServer;
  final String fuxiAddress;
  final String adminAddress;

  FakeServices() {
    fuxiServer = GrpcServer.netty("127.0.0.1", 0, SecuritySettings.INSECURE).service(fuxi).build().start();
    adminServer = GrpcServer.netty("127.0.0.1", 0, SecuritySettings.INSECURE).service(admin).build().start();
    fuxiAddress = "127.0.0.1:" + fuxiServer.port();
    adminAddress = "127.0.0.1:" + adminServer.port();
  }

  /** A running application of that kind and name whose master serves at the fake ServiceAdmin. */
  AppInfo addApp(String id, String kind, String name, AppState state) {
    AppInfo a = AppInfo.newBuilder().setAppId(id).setState(state).setSubmittedAtMs(fuxi.apps.size())
        .setSpec(AppSpec.newBuilder().setName(name).setKind(kind)).setEndpoint(adminAddress).build();
    synchronized (fuxi) {
      fuxi.apps.put(id, a);
    }
    return a;
  }

  @Override
  public void close() {
    fuxiServer.close();
    adminServer.close();
  }

  final class Fuxi extends ClusterServiceGrpc.ClusterServiceImplBase {
    final Map<String, AppInfo> apps = new LinkedHashMap<>();
    final List<AppSpec> submitted = new ArrayList<>();
    final List<String> killed = new ArrayList<>();
    /** Listings left that show every service without an endpoint (its master restarting); negative: all. */
    final AtomicInteger restartingFor = new AtomicInteger();

    @Override
    public void getClusterStatus(GetClusterStatusRequest request, StreamObserver<ClusterStatus> response) {
      response.onNext(ClusterStatus.newBuilder().setLeaderAddress(fuxiAddress).build());
      response.onCompleted();
    }

    @Override
    public synchronized void listApps(ListAppsRequest request, StreamObserver<ListAppsResponse> response) {
      boolean restarting = restartingFor.getAndUpdate(n -> n > 0 ? n - 1 : n) != 0;
      ListAppsResponse.Builder r = ListAppsResponse.newBuilder();
      for (AppInfo a : apps.values()) {
        boolean ended = a.getState().getNumber() >= AppState.APP_STATE_SUCCEEDED_VALUE;
        if (request.getAll() || !ended) {
          r.addApps(restarting && !ended ? a.toBuilder().setEndpoint("").setState(AppState.APP_STATE_RESTARTING).build() : a);
        }
      }
      response.onNext(r.build());
      response.onCompleted();
    }

    @Override
    public synchronized void getApp(GetAppRequest request, StreamObserver<AppInfo> response) {
      AppInfo a = apps.get(request.getAppId());
      if (a == null) {
        response.onError(Status.NOT_FOUND.withDescription("no application " + request.getAppId()).asRuntimeException());
        return;
      }
      response.onNext(a);
      response.onCompleted();
    }

    @Override
    public synchronized void submitApp(SubmitAppRequest request, StreamObserver<SubmitAppResponse> response) {
      submitted.add(request.getSpec());
      String id = "app-" + (apps.size() + 10);
      apps.put(id, AppInfo.newBuilder().setAppId(id).setSpec(request.getSpec()).setState(AppState.APP_STATE_PENDING)
          .build());
      response.onNext(SubmitAppResponse.newBuilder().setAppId(id).build());
      response.onCompleted();
    }

    @Override
    public synchronized void killApp(KillAppRequest request, StreamObserver<AppInfo> response) {
      killed.add(request.getAppId());
      AppInfo a = apps.get(request.getAppId()).toBuilder().setState(AppState.APP_STATE_KILLED)
          .setMessage("killed by the user").setEndpoint("").build();
      apps.put(a.getAppId(), a);
      response.onNext(a);
      response.onCompleted();
    }
  }

  static final class Admin extends ServiceAdminGrpc.ServiceAdminImplBase {
    final AtomicInteger calls = new AtomicInteger();
    /** Calls left to refuse with UNAVAILABLE, as a master that is going away does. */
    final AtomicInteger unavailableFor = new AtomicInteger();
    final List<Object> requests = new ArrayList<>();

    private boolean refused(Object request, StreamObserver<?> response) {
      calls.incrementAndGet();
      synchronized (requests) {
        requests.add(request);
      }
      if (unavailableFor.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        response.onError(Status.UNAVAILABLE.withDescription("shutting down").asRuntimeException());
        return true;
      }
      return false;
    }

    private static void answer(StreamObserver<ServiceStatus> response, ServiceStatus s) {
      response.onNext(s);
      response.onCompleted();
    }

    @Override
    public void getService(GetServiceRequest request, StreamObserver<ServiceStatus> response) {
      if (!refused(request, response)) {
        answer(response, KV);
      }
    }

    @Override
    public void scale(ScaleRequest request, StreamObserver<ServiceStatus> response) {
      if (refused(request, response)) {
        return;
      }
      if (!request.getRole().equals("store")) {
        response.onError(Status.INVALID_ARGUMENT.withDescription("kv has no role '" + request.getRole() + "'")
            .asRuntimeException());
        return;
      }
      answer(response, KV.toBuilder().setRoles(0, KV.getRoles(0).toBuilder().setWanted(request.getWorkers())).build());
    }

    @Override
    public void loadPartition(PartitionCommand request, StreamObserver<ServiceStatus> response) {
      if (!refused(request, response)) {
        String owner = request.getWorker().isEmpty() ? "w-1" : request.getWorker();
        answer(response, KV.toBuilder().setPartitions(3, KV.getPartitions(3).toBuilder().setOwner(owner).setEpoch(1)
            .setState(PartitionState.PARTITION_STATE_LOADING)).build());
      }
    }

    @Override
    public void unloadPartition(PartitionCommand request, StreamObserver<ServiceStatus> response) {
      if (!refused(request, response)) {
        answer(response, KV.toBuilder().setPartitions(0, KV.getPartitions(0).toBuilder()
            .setState(PartitionState.PARTITION_STATE_UNLOADING)).build());
      }
    }

    @Override
    public void splitPartition(PartitionCommand request, StreamObserver<ServiceStatus> response) {
      if (refused(request, response)) {
        return;
      }
      ServiceStatus.Builder s = KV.toBuilder().removePartitions(2);
      s.addPartitions(record("p2a", "80000000", request.getAt(), "w-2", 3, PartitionState.PARTITION_STATE_LOADING, ""));
      s.addPartitions(record("p2b", request.getAt(), "c0000000", "w-2", 3, PartitionState.PARTITION_STATE_LOADING, ""));
      answer(response, s.build());
    }

    @Override
    public void migratePartition(PartitionCommand request, StreamObserver<ServiceStatus> response) {
      if (!refused(request, response)) {
        response.onError(Status.FAILED_PRECONDITION.withDescription("partition " + request.getPartition()
            + " is UNLOADING, not SERVING").asRuntimeException());
      }
    }
  }
}
