package io.feitian.fuxi.master.rpc;

import io.feitian.proto.common.v1.Resources;
import io.feitian.proto.fuxi.v1.AppMasterMessage;
import io.feitian.proto.fuxi.v1.Attach;
import io.feitian.proto.fuxi.v1.Grant;
import io.feitian.proto.fuxi.v1.NodeDirective;
import io.feitian.proto.fuxi.v1.NodeHeartbeat;
import io.feitian.proto.fuxi.v1.NodeServiceGrpc;
import io.feitian.proto.fuxi.v1.RegisterNodeRequest;
import io.feitian.proto.fuxi.v1.RegisterNodeResponse;
import io.feitian.proto.fuxi.v1.ResourceServiceGrpc;
import io.feitian.proto.fuxi.v1.SchedulingEvent;
import io.feitian.proto.fuxi.v1.UnitRequest;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A task-worker and an application master reduced to their wire protocol, so
 * a test decides exactly what each one reports to a leader.
 */
final class RawPeers {
  private RawPeers() {}

  /** A node: registers with the grants it says it holds, then heartbeats on demand. */
  static final class Node {
    final String id;
    final List<NodeDirective> directives = new CopyOnWriteArrayList<>();
    private final ManagedChannel channel;
    private StreamObserver<NodeHeartbeat> heartbeats;
    long epoch;

    Node(ManagedChannel channel, String id) {
      this.channel = channel;
      this.id = id;
    }

    RegisterNodeResponse register(List<Grant> holding) {
      RegisterNodeResponse r = NodeServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
          .register(RegisterNodeRequest.newBuilder().setNodeId(id).setAddress("127.0.0.1:1").setRack("r1")
              .setTotal(Resources.newBuilder().setCpuMillis(4000).setMemoryMib(4096)).addAllGrants(holding).build());
      epoch = r.getEpoch();
      heartbeats = NodeServiceGrpc.newStub(channel).heartbeat(new Collector<>(directives));
      heartbeat();
      return r;
    }

    void heartbeat() {
      heartbeats.onNext(NodeHeartbeat.newBuilder().setNodeId(id).setEpoch(epoch).build());
    }

    List<Long> revokedByDirective() {
      return directives.stream().flatMap(d -> d.getRevokedGrantIdsList().stream()).toList();
    }
  }

  /** An application master's scheduling stream. */
  static final class AppMaster {
    final List<SchedulingEvent> events = new CopyOnWriteArrayList<>();
    private final StreamObserver<AppMasterMessage> out;
    private volatile io.grpc.Status ended;
    final String appId;

    AppMaster(ManagedChannel channel, String appId, List<Grant> held) {
      this(channel, Attach.newBuilder().setAppId(appId).addAllHeldGrants(held).build());
    }

    AppMaster(ManagedChannel channel, Attach attach) {
      this.appId = attach.getAppId();
      out = ResourceServiceGrpc.newStub(channel).schedule(new StreamObserver<>() {
        @Override
        public void onNext(SchedulingEvent e) {
          events.add(e);
        }

        @Override
        public void onError(Throwable t) {
          ended = io.grpc.Status.fromThrowable(t);
        }

        @Override
        public void onCompleted() {
          ended = io.grpc.Status.OK;
        }
      });
      out.onNext(AppMasterMessage.newBuilder().setAttach(attach).build());
    }

    void request(UnitRequest r) {
      out.onNext(AppMasterMessage.newBuilder().setRequest(r).build());
    }

    void send(AppMasterMessage m) {
      out.onNext(m);
    }

    List<Grant> granted() {
      return events.stream().flatMap(e -> e.getGranted().getGrantsList().stream()).toList();
    }

    List<Grant> accepted() {
      return events.stream().flatMap(e -> e.getAttached().getAcceptedList().stream()).toList();
    }

    List<Long> revoked() {
      return events.stream().flatMap(e -> e.getRevoked().getGrantIdsList().stream()).toList();
    }

    /** The usable nodes (id to rack), as the UsableNodes events so far say. */
    java.util.Map<String, String> usableNodes() {
      java.util.Map<String, String> nodes = new java.util.TreeMap<>();
      for (SchedulingEvent e : events) {
        if (e.hasNodes()) {
          if (e.getNodes().getSnapshot()) {
            nodes.clear();
          }
          e.getNodes().getAddedList().forEach(n -> nodes.put(n.getNodeId(), n.getRack()));
          e.getNodes().getRemovedList().forEach(nodes::remove);
        }
      }
      return nodes;
    }

    /** How the stream ended, or null while it is open. */
    io.grpc.Status ended() {
      return ended;
    }

    void close() {
      out.onCompleted();
    }
  }

  private record Collector<T>(List<T> into) implements StreamObserver<T> {
    @Override
    public void onNext(T value) {
      into.add(value);
    }

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {}
  }
}
