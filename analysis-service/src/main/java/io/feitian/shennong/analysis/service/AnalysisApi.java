package io.feitian.shennong.analysis.service;

import static io.feitian.common.grpc.AsyncAnswer.answer;

import io.feitian.proto.shennong.v1.AnalysisServiceGrpc;
import io.feitian.proto.shennong.v1.FetchSnapshotRequest;
import io.feitian.proto.shennong.v1.QueryRequest;
import io.feitian.proto.shennong.v1.QueryResponse;
import io.feitian.proto.shennong.v1.SnapshotChunk;
import io.feitian.proto.shennong.v1.TopRequest;
import io.feitian.proto.shennong.v1.TopResponse;
import io.feitian.proto.shennong.v1.TotalPoint;
import io.feitian.proto.shennong.v1.TotalSeries;
import io.feitian.shennong.analysis.Grouping;
import io.feitian.shennong.analysis.QueryResult;
import io.feitian.shennong.analysis.Total;
import io.feitian.shennong.analysis.TotalsQuery;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * AnalysisService: every call goes to the term in office ({@code term.get()}, which throws
 * UNAVAILABLE naming the leader on a standby) and runs on its loop. The core checks a query and
 * names the bad field; Top's own fields are checked here.
 */
final class AnalysisApi extends AnalysisServiceGrpc.AnalysisServiceImplBase {
  /** A snapshot travels to the standby in pieces of this size, under gRPC's message limit. */
  static final int CHUNK_BYTES = 1 << 20;

  private final Supplier<AnalysisTerm> term;

  AnalysisApi(Supplier<AnalysisTerm> term) {
    this.term = term;
  }

  @Override
  public void query(QueryRequest r, StreamObserver<QueryResponse> response) {
    answer(response, () -> term.get().query(new TotalsQuery(r.getSelector(), r.getGrouping(), r.getStartMs(),
        r.getEndMs(), r.getStepMs())), AnalysisApi::toProto);
  }

  static QueryResponse toProto(QueryResult q) {
    QueryResponse.Builder out = QueryResponse.newBuilder().setResolutionMs(q.resolutionMs()).setStepMs(q.stepMs())
        .setPointsTouched(q.pointsTouched());
    for (QueryResult.Series s : q.series()) {
      TotalSeries.Builder series = TotalSeries.newBuilder().setTotal(s.total()).setGrouping(s.grouping())
          .setGroup(s.group());
      s.points().forEach(p -> series.addPoints(TotalPoint.newBuilder().setTimeMs(p.timeMs()).setAvg(p.avg())
          .setMax(p.max())));
      out.addSeries(series);
    }
    return out.build();
  }

  @Override
  public void top(TopRequest r, StreamObserver<TopResponse> response) {
    answer(response, () -> {
      Grouping grouping = checkTop(r);
      return term.get().top(grouping, r.getSort(), r.getLimit());
    }, top -> top);
  }

  /** Top's own fields checked (INVALID_ARGUMENT naming the field); the grouping asked for (node by default). */
  static Grouping checkTop(TopRequest r) {
    Grouping grouping;
    try {
      grouping = Grouping.named(r.getGrouping().isEmpty() ? Grouping.NODE.label() : r.getGrouping());
    } catch (IllegalArgumentException e) {
      throw invalid("grouping: " + e.getMessage());
    }
    if (!r.getSort().isEmpty() && Total.named(r.getSort()) == null) {
      throw invalid("sort: total \"" + r.getSort() + "\" is unknown; sort by one of "
          + Arrays.stream(Total.values()).map(Total::totalName).collect(Collectors.joining(", ")));
    }
    if (r.getLimit() < 0) {
      throw invalid("limit must be at least 0 (0: every row), got " + r.getLimit());
    }
    return grouping;
  }

  /** The newest snapshot the term encoded, as the caller is ready for it ({@link SnapshotSender}). */
  @Override
  public void fetchSnapshot(FetchSnapshotRequest r, StreamObserver<SnapshotChunk> response) {
    CompletableFuture<SnapshotEncoder.Encoded> newest;
    try {
      newest = term.get().newestSnapshot();
    } catch (RuntimeException e) {
      newest = CompletableFuture.failedFuture(e);
    }
    SnapshotSender.start((ServerCallStreamObserver<SnapshotChunk>) response, r.getHaveVersion(), CHUNK_BYTES, newest);
  }

  static StatusRuntimeException invalid(String description) {
    return Status.INVALID_ARGUMENT.withDescription(description).asRuntimeException();
  }
}
