package io.feitian.fuxi.master.term;

import io.feitian.common.resource.ResourceVector;
import io.feitian.proto.fuxi.v1.NodeDirective;
import io.feitian.proto.fuxi.v1.WorkerInfo;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;

/** A registered node as the leader sees it. Touched only on the term's loop thread. */
final class NodeSession {
  final String nodeId;
  final String address;
  final String rack;
  ResourceVector total;
  /** The open heartbeat stream, or null between registration and its first heartbeat. */
  StreamObserver<NodeDirective> stream;
  /** Directives waiting for the stream to open. */
  final List<NodeDirective> pending = new ArrayList<>();
  List<WorkerInfo> workers = List.of();
  long lastHeardMillis;

  NodeSession(String nodeId, String address, String rack, ResourceVector total) {
    this.nodeId = nodeId;
    this.address = address;
    this.rack = rack;
    this.total = total;
  }

  void send(NodeDirective directive) {
    if (stream == null) {
      pending.add(directive);
      return;
    }
    try {
      stream.onNext(directive);
    } catch (RuntimeException e) {
      // The stream died under us; the node will register again and learn its grants then.
      stream = null;
    }
  }

  void attach(StreamObserver<NodeDirective> newStream) {
    stream = newStream;
    for (NodeDirective d : pending) {
      newStream.onNext(d);
    }
    pending.clear();
  }
}
