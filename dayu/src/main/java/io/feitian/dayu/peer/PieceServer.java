package io.feitian.dayu.peer;

import com.google.protobuf.ByteString;
import io.feitian.dayu.p2p.UploadSlots;
import io.feitian.dayu.server.Statuses;
import io.feitian.proto.dayu.v1.FetchPieceRequest;
import io.feitian.proto.dayu.v1.GetTransferStatsRequest;
import io.feitian.proto.dayu.v1.PieceData;
import io.feitian.proto.dayu.v1.PieceServiceGrpc;
import io.feitian.proto.dayu.v1.TransferStats;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Optional;

/**
 * PieceService, on dayu-server (the seed, over the database) and on every dayu-agent (over its
 * piece store): one piece per call, in messages of at most {@link #MESSAGE_BYTES}, within a
 * bounded number of {@link UploadSlots}, each held until the piece has left (not merely until it
 * is handed to gRPC); a call beyond them is answered RESOURCE_EXHAUSTED at once, which the asking
 * agent takes as "try another peer".
 */
public final class PieceServer extends PieceServiceGrpc.PieceServiceImplBase {
  /** Each PieceData message: below gRPC's default 4 MiB limit on what a client takes. */
  public static final int MESSAGE_BYTES = 1024 * 1024;

  private final PieceSource source;
  private final UploadSlots slots;
  /** The agent's counters; empty on dayu-server. */
  private final Optional<TransferCounters> counters;

  public PieceServer(PieceSource source, UploadSlots slots, Optional<TransferCounters> counters) {
    this.source = source;
    this.slots = slots;
    this.counters = counters;
  }

  @Override
  public void fetchPiece(FetchPieceRequest request, StreamObserver<PieceData> out) {
    Optional<UploadSlots.Slot> slot = slots.tryAcquire();
    if (slot.isEmpty()) {
      out.onError(Status.RESOURCE_EXHAUSTED.withDescription("busy: all " + slots.max()
          + " upload slots are taken; ask another peer").asRuntimeException());
      return;
    }
    // The slot is held until the call is closed, i.e. until gRPC has handed the last bytes to the
    // connection (the client's flow-control window keeps the rest here): handing the piece to
    // gRPC takes no time, and a slot given back then would let a slow link carry any number of
    // pieces at once, each arriving late (docs/DAYU.md, "Peer-to-peer distribution", Decisions).
    UploadSlots.Slot held = slot.get();
    if (out instanceof ServerCallStreamObserver<PieceData> call) {
      call.setOnCancelHandler(held::close);
      call.setOnCloseHandler(held::close);
    }
    try {
      byte[] bytes;
      try {
        bytes = source.piece(request);
      } catch (RuntimeException e) {
        held.close();
        out.onError(Statuses.of(e));
        return;
      }
      for (int at = 0; at < bytes.length; at += MESSAGE_BYTES) {
        out.onNext(PieceData.newBuilder().setData(ByteString.copyFrom(bytes, at,
            Math.min(MESSAGE_BYTES, bytes.length - at))).build());
      }
      out.onCompleted();
      counters.ifPresent(c -> c.served(bytes.length));
    } finally {
      if (!(out instanceof ServerCallStreamObserver)) {
        held.close();
      }
    }
  }

  @Override
  public void getTransferStats(GetTransferStatsRequest request, StreamObserver<TransferStats> out) {
    if (counters.isEmpty()) {
      super.getTransferStats(request, out);
      return;
    }
    out.onNext(counters.get().toProto());
    out.onCompleted();
  }
}
