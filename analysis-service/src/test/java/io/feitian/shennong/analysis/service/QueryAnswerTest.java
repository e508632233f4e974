package io.feitian.shennong.analysis.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.feitian.client.shennong.TotalPoints;
import io.feitian.proto.shennong.v1.QueryResponse;
import io.feitian.shennong.analysis.QueryResult;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Query answer on the wire: packed columns read back as they were, and the limit on its points. */
class QueryAnswerTest {
  private static final long STEP = 60_000;
  private static final long T0 = 1_800_000_000_000L;
  /** gRPC's default limit on a message a client takes. */
  private static final int GRPC_MAX_MESSAGE = 4 << 20;

  /** {@code series} series of {@code points} steps each, every seventh step without data. */
  private static QueryResult result(int series, int points) {
    List<QueryResult.Series> out = new ArrayList<>();
    for (int s = 0; s < series; s++) {
      List<QueryResult.Point> p = new ArrayList<>();
      for (int i = 0; i < points; i++) {
        if (i % 7 != 3) {
          p.add(new QueryResult.Point(T0 + (s + i) * STEP, s * 1000.0 + i / 3.0, s * 1000.0 + i));
        }
      }
      out.add(new QueryResult.Series("cpu.cores.used", "node", "n" + s, p));
    }
    out.add(new QueryResult.Series("cpu.cores.used", "node", "silent", List.of()));
    return new QueryResult(10_000, STEP, out, 12345);
  }

  @Test
  void theColumnsReadBackAsThePointsWithTheGapsLeftOut() {
    QueryResult r = result(3, 20);
    QueryResponse answer = AnalysisApi.toProto(r);
    assertThat(answer.getStepMs()).isEqualTo(STEP);
    for (int s = 0; s < r.series().size(); s++) {
      List<TotalPoints.Point> read = TotalPoints.of(answer, answer.getSeries(s));
      List<TotalPoints.Point> expected = r.series().get(s).points().stream()
          .map(p -> new TotalPoints.Point(p.timeMs(), p.avg(), p.max())).toList();
      assertThat(read).isEqualTo(expected);
      assertThat(answer.getSeries(s).getGroup()).isEqualTo(r.series().get(s).group());
    }
    assertThat(answer.getSeries(3).getAvgCount()).as("a series without data has no points").isZero();
  }

  /**
   * 1,400 series of 140 steps (24 h of one total by node at 10 min, say): 196,000 points, 5.3 MB as a
   * message per point, which a client refused (RESOURCE_EXHAUSTED); as columns under its 4 MiB.
   */
  @Test
  void anAnswerOfTwoHundredThousandPointsFitsInAGrpcMessage() {
    QueryResponse answer = AnalysisApi.toProto(result(1_400, 140));
    long points = answer.getSeriesList().stream().mapToLong(s -> s.getAvgCount()).sum();
    assertThat(points).isEqualTo(196_000);
    assertThat(answer.getSerializedSize()).isLessThan(GRPC_MAX_MESSAGE);
    // What the TotalPoint messages of before took: tag + length + time (tag, 6-byte varint) + 2 doubles (tag, 8).
    assertThat(points * (2 + 7 + 9 + 9)).isGreaterThan(GRPC_MAX_MESSAGE);
  }

  @Test
  void anAnswerAboveTheLimitIsRefusedNamingTheStepItWouldTake() {
    // 1,400 series of 1,439 steps (every total by node over 24 h at 1 min): 2,014,600 points.
    assertThatThrownBy(() -> AnalysisApi.toProto(result(1_400, 1_439)))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).startsWith("step: 60000 ms gives an answer of")
              .contains("at most 200000").contains("choose a step of at least 660000 ms");
        });
    // The step it names fits: 1,439 minutes at 11 min are 131 points a series, 183,400 in all.
    assertThat(1_400 * ((1_439 + 10) / 11)).isLessThanOrEqualTo(AnalysisApi.MAX_ANSWER_POINTS);
  }

  @Test
  void moreSeriesThanTheLimitIsRefusedNamingTheGrouping() {
    assertThatThrownBy(() -> AnalysisApi.toProto(result(AnalysisApi.MAX_ANSWER_POINTS + 1, 1)))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).startsWith("grouping: ").contains("200000");
        });
  }
}
