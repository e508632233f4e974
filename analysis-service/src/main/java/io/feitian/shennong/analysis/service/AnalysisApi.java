package io.feitian.shennong.analysis.service;

import static io.feitian.common.grpc.AsyncAnswer.answer;

import io.feitian.proto.shennong.v1.AnalysisServiceGrpc;
import io.feitian.proto.shennong.v1.FetchSnapshotRequest;
import io.feitian.proto.shennong.v1.QueryRequest;
import io.feitian.proto.shennong.v1.QueryResponse;
import io.feitian.proto.shennong.v1.SnapshotChunk;
import io.feitian.proto.shennong.v1.TopRequest;
import io.feitian.proto.shennong.v1.TopResponse;
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
import java.util.List;
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
  /**
   * The most points one Query answer holds: at about 16 bytes a point, 3.2 MB, under gRPC's
   * default 4 MiB message limit with room for the series' names. A larger answer would fail in the
   * client (RESOURCE_EXHAUSTED, after the server's work); it is refused before, saying what to change.
   */
  static final int MAX_ANSWER_POINTS = 200_000;

  private final Supplier<AnalysisTerm> term;

  AnalysisApi(Supplier<AnalysisTerm> term) {
    this.term = term;
  }

  @Override
  public void query(QueryRequest r, StreamObserver<QueryResponse> response) {
    // toProto inside the future: its refusal of a too large answer fails the call with its status.
    answer(response, () -> term.get().query(new TotalsQuery(r.getSelector(), r.getGrouping(), r.getStartMs(),
        r.getEndMs(), r.getStepMs())).thenApply(AnalysisApi::toProto), q -> q);
  }

  /**
   * The answer as packed columns (see TotalSeries in analysis.proto); INVALID_ARGUMENT naming
   * the step (or the grouping) when it would hold more than {@link #MAX_ANSWER_POINTS}.
   */
  static QueryResponse toProto(QueryResult q) {
    checkSize(q);
    QueryResponse.Builder out = QueryResponse.newBuilder().setResolutionMs(q.resolutionMs()).setStepMs(q.stepMs())
        .setPointsTouched(q.pointsTouched());
    for (QueryResult.Series s : q.series()) {
      TotalSeries.Builder series = TotalSeries.newBuilder().setTotal(s.total()).setGrouping(s.grouping())
          .setGroup(s.group());
      List<QueryResult.Point> points = s.points();
      if (!points.isEmpty()) {
        long start = points.get(0).timeMs();
        double[] avg = new double[slots(s, q.stepMs())];
        double[] max = new double[avg.length];
        Arrays.fill(avg, Double.NaN);
        Arrays.fill(max, Double.NaN);
        for (QueryResult.Point p : points) {
          int i = (int) ((p.timeMs() - start) / q.stepMs());
          avg[i] = p.avg();
          max[i] = p.max();
        }
        series.setStartMs(start);
        for (int i = 0; i < avg.length; i++) {
          series.addAvg(avg[i]).addMax(max[i]);
        }
      }
      out.addSeries(series);
    }
    return out.build();
  }

  /** The steps a series takes on the wire: from its first point to its last, gaps included. */
  private static int slots(QueryResult.Series s, long stepMs) {
    List<QueryResult.Point> p = s.points();
    return p.isEmpty() ? 0 : (int) ((p.get(p.size() - 1).timeMs() - p.get(0).timeMs()) / stepMs) + 1;
  }

  private static void checkSize(QueryResult q) {
    long points = 0;
    long widest = 0;
    for (QueryResult.Series s : q.series()) {
      int n = slots(s, q.stepMs());
      points += n;
      widest = Math.max(widest, n);
    }
    if (points <= MAX_ANSWER_POINTS) {
      return;
    }
    int series = q.series().size();
    if (series > MAX_ANSWER_POINTS) {
      throw invalid("grouping: the answer would hold " + series + " series, and at most " + MAX_ANSWER_POINTS
          + " points are allowed in one answer; choose a coarser grouping or a narrower selector");
    }
    // A step k times coarser divides every series' points by about k (rounded up: one more at most).
    long factor = (points + MAX_ANSWER_POINTS - series - 1) / (MAX_ANSWER_POINTS - series);
    throw invalid("step: " + q.stepMs() + " ms gives an answer of " + points + " points (" + series
        + " series of up to " + widest + "), and at most " + MAX_ANSWER_POINTS
        + " are allowed in one answer; choose a step of at least " + factor * q.stepMs()
        + " ms, or a coarser grouping, a narrower selector or a shorter range");
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
