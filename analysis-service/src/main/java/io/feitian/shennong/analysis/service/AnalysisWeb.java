package io.feitian.shennong.analysis.service;

import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.feitian.common.http.DaemonHttpServer.Reply;
import io.feitian.common.http.DaemonHttpServer.Request;
import io.feitian.proto.shennong.v1.TopRequest;
import io.feitian.shennong.analysis.AnalysisSettings;
import io.feitian.shennong.analysis.Grouping;
import io.feitian.shennong.analysis.TotalsQuery;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * What analysis-service serves over HTTP: the page ({@code /}), uPlot from its WebJar, and two JSON
 * endpoints, {@code /api/top} (the cluster's totals and the top groups of the newest step, as Top
 * answers) and {@code /api/totals} (the cluster's totals over the last {@code seconds}, as Query
 * answers; by default 10 minutes at the fine step, less when the fine history is shorter). The page and scripts hold no data and are served without a token; the JSON needs a
 * reader's. A bad parameter is 400 naming it; a standby answers the JSON with 503 naming the leader.
 */
final class AnalysisWeb {
  /** Where the uPlot WebJar keeps its files (the version is the pom's). */
  static final String UPLOT = "META-INF/resources/webjars/uplot/1.6.30/dist/";
  private static final Map<String, String[]> STATIC = Map.of(
      "/", new String[] {"analysis-web/index.html", "text/html; charset=utf-8"},
      "/uplot.js", new String[] {UPLOT + "uPlot.iife.min.js", "text/javascript; charset=utf-8"},
      "/uplot.css", new String[] {UPLOT + "uPlot.min.css", "text/css; charset=utf-8"});
  private static final JsonFormat.Printer JSON = JsonFormat.printer().omittingInsignificantWhitespace();
  private static final long ANSWER_SECONDS = 10;

  private final Supplier<AnalysisTerm> term;
  private final AnalysisSettings history;
  private final Clock clock;

  AnalysisWeb(Supplier<AnalysisTerm> term, AnalysisSettings history, Clock clock) {
    this.term = term;
    this.history = history;
    this.clock = clock;
  }

  static boolean isOpen(String path) {
    return STATIC.containsKey(path);
  }

  Reply handle(Request request) {
    String path = request.path();
    String[] file = STATIC.get(path);
    if (file != null) {
      return Reply.resource(file[0], file[1]);
    }
    try {
      Map<String, String> q = request.params();
      switch (path) {
        case "/api/top":
          TopRequest top = TopRequest.newBuilder().setGrouping(q.getOrDefault("grouping", "node"))
              .setSort(q.getOrDefault("sort", "cpu.cores.used")).setLimit(number(q, "limit", 10)).build();
          Grouping grouping = AnalysisApi.checkTop(top);
          return json(answer(() -> term.get().top(grouping, top.getSort(), top.getLimit())));
        case "/api/totals":
          // By default the last 10 minutes at the finest step, within the fine history (a second spare, as
          // the core's clock runs on); a longer range is answered at the coarse step.
          int seconds = number(q, "seconds", (int) Math.max(1, Math.min(600, history.fineRetentionMs() / 1000 - 1)));
          if (seconds < 1) {
            throw AnalysisApi.invalid("seconds must be at least 1, got " + seconds);
          }
          boolean fine = seconds * 1000L + 1000 <= history.fineRetentionMs();
          long step = number(q, "step", (int) (fine ? history.fineStepMs() : history.coarseStepMs()));
          long end = clock.millis();
          return json(AnalysisApi.toProto(answer(() -> term.get().query(
              new TotalsQuery("*", Grouping.CLUSTER.label(), end - seconds * 1000L, end, step)))));
        default:
          return Reply.text(404, "not found: the page is at /, the data at /api/top and /api/totals\n");
      }
    } catch (StatusRuntimeException e) {
      return Reply.of(e);
    } catch (IllegalArgumentException e) {
      return Reply.text(400, e.getMessage() + "\n");
    }
  }

  /** The term's answer, its IllegalArgumentException (a bad query, naming the field) rethrown as is. */
  private static <T> T answer(Supplier<CompletableFuture<T>> call) {
    try {
      return call.get().get(ANSWER_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      throw Status.DEADLINE_EXCEEDED.withDescription("the analysis took over " + ANSWER_SECONDS + " s")
          .asRuntimeException();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Status.CANCELLED.asRuntimeException();
    }
  }

  private static Reply json(MessageOrBuilder message) {
    try {
      return new Reply(200, "application/json", JSON.print(message).getBytes(StandardCharsets.UTF_8));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int number(Map<String, String> q, String name, int otherwise) {
    String v = q.get(name);
    if (v == null) {
      return otherwise;
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw AnalysisApi.invalid(name + " must be a whole number, got \"" + v + "\"");
    }
  }
}
