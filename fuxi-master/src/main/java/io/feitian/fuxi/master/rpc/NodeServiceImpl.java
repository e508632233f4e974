package io.feitian.fuxi.master.rpc;

import io.feitian.fuxi.master.term.LeaderTerm;
import io.feitian.proto.fuxi.v1.NodeDirective;
import io.feitian.proto.fuxi.v1.NodeHeartbeat;
import io.feitian.proto.fuxi.v1.NodeServiceGrpc;
import io.feitian.proto.fuxi.v1.RegisterNodeRequest;
import io.feitian.proto.fuxi.v1.RegisterNodeResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

/** Task-workers' side of the master: registration and heartbeat streams. */
public final class NodeServiceImpl extends NodeServiceGrpc.NodeServiceImplBase {
  private final CurrentTerm current;

  public NodeServiceImpl(CurrentTerm current) {
    this.current = current;
  }

  @Override
  public void register(RegisterNodeRequest request, StreamObserver<RegisterNodeResponse> response) {
    current.unary(response, t -> () -> t.nodes().register(request), r -> r);
  }

  @Override
  public StreamObserver<NodeHeartbeat> heartbeat(StreamObserver<NodeDirective> response) {
    ServerCallStreamObserver<NodeDirective> directives = (ServerCallStreamObserver<NodeDirective>) response;
    final LeaderTerm term;
    try {
      term = current.require();
    } catch (RuntimeException e) {
      response.onError(Errors.toStatus(e).asRuntimeException());
      return new Ignore<>();
    }
    return new StreamObserver<>() {
      private String nodeId;
      private boolean failed;

      @Override
      public void onNext(NodeHeartbeat hb) {
        boolean first = nodeId == null;
        if (first) {
          nodeId = hb.getNodeId();
        }
        term.call(() -> {
          if (!failed) {
            term.nodes().heartbeat(hb, directives, first);
          }
          return null;
        }).whenComplete((ok, error) -> {
          if (error != null && !failed) {
            failed = true;
            try {
              directives.onError(Errors.toStatus(error).asRuntimeException());
            } catch (RuntimeException ignored) {
              // stream already closed
            }
          }
        });
      }

      @Override
      public void onError(Throwable t) {
        ended(false);
      }

      @Override
      public void onCompleted() {
        ended(true);
      }

      private void ended(boolean complete) {
        term.call(() -> {
          if (nodeId != null) {
            term.nodes().streamEnded(nodeId, directives);
          }
          if (complete && !failed) {
            failed = true;
            directives.onCompleted();
          }
          return null;
        });
      }
    };
  }
}
