package io.feitian.dayu.server;

import io.feitian.common.security.AuthInterceptor;
import io.feitian.dayu.db.ConfigDatabase;
import io.feitian.dayu.db.ParamChange;
import io.feitian.dayu.packages.PackageStore;
import io.feitian.proto.dayu.v1.AddClusterRequest;
import io.feitian.proto.dayu.v1.AddNodeRequest;
import io.feitian.proto.dayu.v1.Cluster;
import io.feitian.proto.dayu.v1.ClusterInfo;
import io.feitian.proto.dayu.v1.DayuServiceGrpc;
import io.feitian.proto.dayu.v1.FetchPackageRequest;
import io.feitian.proto.dayu.v1.GetClusterInfoRequest;
import io.feitian.proto.dayu.v1.GetParamsRequest;
import io.feitian.proto.dayu.v1.GetParamsResponse;
import io.feitian.proto.dayu.v1.ListClustersRequest;
import io.feitian.proto.dayu.v1.ListClustersResponse;
import io.feitian.proto.dayu.v1.ListModulesRequest;
import io.feitian.proto.dayu.v1.ListModulesResponse;
import io.feitian.proto.dayu.v1.ListNodesRequest;
import io.feitian.proto.dayu.v1.ListNodesResponse;
import io.feitian.proto.dayu.v1.Module;
import io.feitian.proto.dayu.v1.ModuleVersion;
import io.feitian.proto.dayu.v1.Node;
import io.feitian.proto.dayu.v1.PackageChunk;
import io.feitian.proto.dayu.v1.ParamRevision;
import io.feitian.proto.dayu.v1.ParamsDiffRequest;
import io.feitian.proto.dayu.v1.ParamsDiffResponse;
import io.feitian.proto.dayu.v1.ParamsHistoryRequest;
import io.feitian.proto.dayu.v1.ParamsHistoryResponse;
import io.feitian.proto.dayu.v1.RemoveNodeRequest;
import io.feitian.proto.dayu.v1.RemoveNodeResponse;
import io.feitian.proto.dayu.v1.SetNodeRolesRequest;
import io.feitian.proto.dayu.v1.SetNodeStateRequest;
import io.feitian.proto.dayu.v1.SetParamsRequest;
import io.feitian.proto.dayu.v1.UploadPackageChunk;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.InputStream;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Supplier;

/**
 * The operator API over the configuration database and the package store. The stores check their
 * input and run each write in one transaction, so a refused request changes nothing; this class
 * adds what needs the descriptors ({@link ModuleChecks}), receives and sends packages
 * ({@link PackageUpload}, {@link PackageSender}), and leaves refusals to {@link Statuses}.
 */
final class DayuService extends DayuServiceGrpc.DayuServiceImplBase {
  private final ConfigDatabase db;
  private final ModuleChecks checks;
  private final ClusterInfos clusterInfos;
  private final PackageStore packages;
  private final long maxPackageBytes;
  /** The piece size of the manifests built at publication. */
  private final int pieceBytes;

  DayuService(ConfigDatabase db, PackageStore packages, long maxPackageBytes, int pieceBytes) {
    this.db = db;
    this.checks = new ModuleChecks(db);
    this.clusterInfos = new ClusterInfos(db);
    this.packages = packages;
    this.maxPackageBytes = maxPackageBytes;
    this.pieceBytes = pieceBytes;
  }

  @Override
  public void addCluster(AddClusterRequest request, StreamObserver<Cluster> out) {
    answer(out, () -> Messages.cluster(db.clusters().addCluster(request.getName(), request.getDescription())));
  }

  @Override
  public void listClusters(ListClustersRequest request, StreamObserver<ListClustersResponse> out) {
    answer(out, () -> ListClustersResponse.newBuilder()
        .addAllClusters(db.clusters().clusters().stream().map(Messages::cluster).toList()).build());
  }

  @Override
  public void addNode(AddNodeRequest request, StreamObserver<Node> out) {
    answer(out, () -> Messages.node(db.clusters().addNode(request.getCluster(), request.getHost(),
        request.getRack(), new LinkedHashSet<>(request.getRolesList()))));
  }

  @Override
  public void listNodes(ListNodesRequest request, StreamObserver<ListNodesResponse> out) {
    answer(out, () -> ListNodesResponse.newBuilder()
        .addAllNodes(db.clusters().nodes(request.getCluster()).stream().map(Messages::node).toList()).build());
  }

  @Override
  public void removeNode(RemoveNodeRequest request, StreamObserver<RemoveNodeResponse> out) {
    answer(out, () -> {
      db.clusters().removeNode(request.getCluster(), request.getHost());
      return RemoveNodeResponse.getDefaultInstance();
    });
  }

  @Override
  public void setNodeRoles(SetNodeRolesRequest request, StreamObserver<Node> out) {
    answer(out, () -> Messages.node(db.clusters().setRoles(request.getCluster(), request.getHost(),
        new LinkedHashSet<>(request.getRolesList()))));
  }

  @Override
  public void setNodeState(SetNodeStateRequest request, StreamObserver<Node> out) {
    answer(out, () -> Messages.node(db.clusters().setState(request.getCluster(), request.getHost(),
        Messages.state(request.getState()))));
  }

  @Override
  public void getClusterInfo(GetClusterInfoRequest request, StreamObserver<ClusterInfo> out) {
    answer(out, () -> clusterInfos.read(request.getCluster()));
  }

  @Override
  public StreamObserver<UploadPackageChunk> uploadPackage(StreamObserver<ModuleVersion> out) {
    return new PackageUpload(db, checks, packages, maxPackageBytes, pieceBytes,
        AuthInterceptor.currentPrincipal().name(), out);
  }

  @Override
  public void fetchPackage(FetchPackageRequest request, StreamObserver<PackageChunk> out) {
    InputStream in;
    try {
      in = db.modules().content(request.getModule(), request.getVersion());
    } catch (Exception e) {
      out.onError(Statuses.of(e));
      return;
    }
    PackageSender.start(in, (ServerCallStreamObserver<PackageChunk>) out);
  }

  @Override
  public void listModules(ListModulesRequest request, StreamObserver<ListModulesResponse> out) {
    answer(out, () -> {
      ListModulesResponse.Builder b = ListModulesResponse.newBuilder();
      for (String name : db.modules().modules()) {
        b.addModules(Module.newBuilder().setName(name)
            .addAllVersions(db.modules().versions(name).stream().map(Messages::moduleVersion).toList()));
      }
      return b.build();
    });
  }

  @Override
  public void setParams(SetParamsRequest request, StreamObserver<ParamRevision> out) {
    answer(out, () -> {
      List<ParamChange> changes = checks.checkedChanges(request.getCluster(),
          Messages.changes(request.getChangesList()));
      return Messages.revision(db.params().set(request.getCluster(), orCaller(request.getAuthor()),
          request.getReason(), changes));
    });
  }

  @Override
  public void getParams(GetParamsRequest request, StreamObserver<GetParamsResponse> out) {
    answer(out, () -> {
      String cluster = request.getCluster();
      String module = request.getModule();
      if (!request.getNode().isEmpty()) {
        if (request.hasRevision()) {
          throw new IllegalArgumentException("revision must be absent with node: effective values are the newest");
        }
        return GetParamsResponse.newBuilder().setRevision(db.params().currentRevision(cluster))
            .putAllEffective(db.params().effective(cluster, module, request.getNode())).build();
      }
      long revision = request.hasRevision() ? request.getRevision() : db.params().currentRevision(cluster);
      return GetParamsResponse.newBuilder().setRevision(revision)
          .addAllValues(db.params().values(cluster, module, revision).stream().map(Messages::value).toList())
          .build();
    });
  }

  @Override
  public void paramsHistory(ParamsHistoryRequest request, StreamObserver<ParamsHistoryResponse> out) {
    answer(out, () -> ParamsHistoryResponse.newBuilder().addAllRevisions((request.getModule().isEmpty()
        ? db.params().history(request.getCluster())
        : db.params().history(request.getCluster(), request.getModule())).stream().map(Messages::revision).toList())
        .build());
  }

  @Override
  public void paramsDiff(ParamsDiffRequest request, StreamObserver<ParamsDiffResponse> out) {
    answer(out, () -> ParamsDiffResponse.newBuilder().addAllDeltas(db.params()
        .diff(request.getCluster(), request.getFromRevision(), request.getToRevision()).stream()
        .map(Messages::delta).toList()).build());
  }

  /** Who a write is recorded as: the name the request gives, else the caller's principal. */
  static String orCaller(String given) {
    return given.isEmpty() ? AuthInterceptor.currentPrincipal().name() : given;
  }

  /** Runs one call and sends its answer, or the status its refusal maps to. */
  static <T> void answer(StreamObserver<T> out, Supplier<T> call) {
    T result;
    try {
      result = call.get();
    } catch (RuntimeException e) {
      out.onError(Statuses.of(e));
      return;
    }
    out.onNext(result);
    out.onCompleted();
  }
}
