package io.feitian.fuxi.master.rpc;

import io.feitian.proto.fuxi.v1.AppInfo;
import io.feitian.proto.fuxi.v1.BlacklistEntry;
import io.feitian.proto.fuxi.v1.BlacklistRequest;
import io.feitian.proto.fuxi.v1.ClusterServiceGrpc;
import io.feitian.proto.fuxi.v1.ClusterStatus;
import io.feitian.proto.fuxi.v1.DeleteQuotaRequest;
import io.feitian.proto.fuxi.v1.DeleteQuotaResponse;
import io.feitian.proto.fuxi.v1.DrainNodeRequest;
import io.feitian.proto.fuxi.v1.GetAppRequest;
import io.feitian.proto.fuxi.v1.GetClusterStatusRequest;
import io.feitian.proto.fuxi.v1.KillAppRequest;
import io.feitian.proto.fuxi.v1.ListAppsRequest;
import io.feitian.proto.fuxi.v1.ListAppsResponse;
import io.feitian.proto.fuxi.v1.ListBlacklistRequest;
import io.feitian.proto.fuxi.v1.ListBlacklistResponse;
import io.feitian.proto.fuxi.v1.ListQuotasRequest;
import io.feitian.proto.fuxi.v1.ListQuotasResponse;
import io.feitian.proto.fuxi.v1.MasterInfo;
import io.feitian.proto.fuxi.v1.NodeStatus;
import io.feitian.proto.fuxi.v1.QuotaGroup;
import io.feitian.proto.fuxi.v1.RemoveFromBlacklistResponse;
import io.feitian.proto.fuxi.v1.RevokeGrantRequest;
import io.feitian.proto.fuxi.v1.RevokeGrantResponse;
import io.feitian.proto.fuxi.v1.SetQuotaRequest;
import io.feitian.proto.fuxi.v1.SubmitAppRequest;
import io.feitian.proto.fuxi.v1.SubmitAppResponse;
import io.feitian.common.security.AuthInterceptor;
import io.feitian.common.security.Principal;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** The operator and application API. */
public final class ClusterServiceImpl extends ClusterServiceGrpc.ClusterServiceImplBase {
  /** What this master knows of its peers, leader or not. */
  public interface Peers {
    String self();

    Optional<String> leader();

    /** Every master taking part in the election, leader first. */
    List<String> masters();

    /** The current leader's epoch as recorded in ZooKeeper (0 if none). */
    long leaderEpoch();
  }

  private final CurrentTerm current;
  private final Peers peers;

  public ClusterServiceImpl(CurrentTerm current, Peers peers) {
    this.current = current;
    this.peers = peers;
  }

  @Override
  public void getClusterStatus(GetClusterStatusRequest request, StreamObserver<ClusterStatus> response) {
    Supplier<ClusterStatus.Builder> peerView = () -> {
      ClusterStatus.Builder b = ClusterStatus.newBuilder().setAnsweredBy(peers.self());
      Optional<String> leader = peers.leader();
      leader.ifPresent(b::setLeaderAddress);
      for (String m : peers.masters()) {
        b.addMasters(MasterInfo.newBuilder().setAddress(m).setLeader(leader.map(m::equals).orElse(false)));
      }
      return b;
    };
    try {
      current.require();
    } catch (RuntimeException standby) {
      // A standby answers with what it knows: who leads, with which epoch, and who stands by. If the latch names
      // this master, it has won the election and is still taking office: the failover is under way.
      boolean takingOffice = peers.leader().map(peers.self()::equals).orElse(false);
      response.onNext(peerView.get().setEpoch(peers.leaderEpoch()).setRecovering(takingOffice).build());
      response.onCompleted();
      return;
    }
    current.unary(response, t -> () -> t.admin().status(), s -> s.toBuilder().mergeFrom(
        peerView.get().setEpoch(s.getEpoch()).build()).build());
  }

  @Override
  public void submitApp(SubmitAppRequest request, StreamObserver<SubmitAppResponse> response) {
    String owner = AuthInterceptor.currentPrincipal().name();
    current.unary(response, t -> () -> t.admin().submit(request.getSpec(), owner),
        id -> SubmitAppResponse.newBuilder().setAppId(id).build());
  }

  @Override
  public void killApp(KillAppRequest request, StreamObserver<AppInfo> response) {
    Principal who = AuthInterceptor.currentPrincipal();
    current.unary(response, t -> () -> t.admin().kill(request.getAppId(), who), a -> a);
  }

  @Override
  public void getApp(GetAppRequest request, StreamObserver<AppInfo> response) {
    Principal who = AuthInterceptor.currentPrincipal();
    current.unary(response, t -> () -> t.admin().get(request.getAppId(), who), a -> a);
  }

  @Override
  public void listApps(ListAppsRequest request, StreamObserver<ListAppsResponse> response) {
    Principal who = AuthInterceptor.currentPrincipal();
    current.unary(response, t -> () -> t.admin().list(request.getAll(), who),
        l -> ListAppsResponse.newBuilder().addAllApps(l).build());
  }

  @Override
  public void setQuota(SetQuotaRequest request, StreamObserver<QuotaGroup> response) {
    current.unary(response, t -> () -> t.admin().setQuota(request.getQuota()), q -> q);
  }

  @Override
  public void deleteQuota(DeleteQuotaRequest request, StreamObserver<DeleteQuotaResponse> response) {
    current.unary(response, t -> () -> {
      t.admin().deleteQuota(request.getName());
      return DeleteQuotaResponse.getDefaultInstance();
    }, r -> r);
  }

  @Override
  public void listQuotas(ListQuotasRequest request, StreamObserver<ListQuotasResponse> response) {
    current.unary(response, t -> () -> t.admin().listQuotas(),
        l -> ListQuotasResponse.newBuilder().addAllQuotas(l).build());
  }

  @Override
  public void addToBlacklist(BlacklistRequest request, StreamObserver<BlacklistEntry> response) {
    current.unary(response, t -> () -> t.admin().blacklist(request), e -> e);
  }

  @Override
  public void removeFromBlacklist(BlacklistRequest request, StreamObserver<RemoveFromBlacklistResponse> response) {
    current.unary(response, t -> () -> {
      t.admin().unblacklist(request.getNodeId());
      return RemoveFromBlacklistResponse.getDefaultInstance();
    }, r -> r);
  }

  @Override
  public void listBlacklist(ListBlacklistRequest request, StreamObserver<ListBlacklistResponse> response) {
    current.unary(response, t -> () -> t.admin().listBlacklist(),
        l -> ListBlacklistResponse.newBuilder().addAllEntries(l).build());
  }

  @Override
  public void revokeGrant(RevokeGrantRequest request, StreamObserver<RevokeGrantResponse> response) {
    current.unary(response, t -> () -> {
      t.admin().revoke(request.getGrantId(), request.getReason());
      return RevokeGrantResponse.getDefaultInstance();
    }, r -> r);
  }

  @Override
  public void drainNode(DrainNodeRequest request, StreamObserver<NodeStatus> response) {
    current.unary(response, t -> () -> t.admin().drain(request), n -> n);
  }

  @Override
  public void undrainNode(DrainNodeRequest request, StreamObserver<NodeStatus> response) {
    current.unary(response, t -> () -> t.admin().undrain(request.getNodeId()), n -> n);
  }
}
