package io.feitian.shennong.monitor.service;

import static io.feitian.common.grpc.AsyncAnswer.answer;

import io.feitian.proto.shennong.v1.AddSilenceRequest;
import io.feitian.proto.shennong.v1.AddSilenceResponse;
import io.feitian.proto.shennong.v1.ExpireSilenceRequest;
import io.feitian.proto.shennong.v1.ExpireSilenceResponse;
import io.feitian.proto.shennong.v1.HistoryRequest;
import io.feitian.proto.shennong.v1.HistoryResponse;
import io.feitian.proto.shennong.v1.ListAlertsRequest;
import io.feitian.proto.shennong.v1.ListAlertsResponse;
import io.feitian.proto.shennong.v1.ListRulesRequest;
import io.feitian.proto.shennong.v1.ListRulesResponse;
import io.feitian.proto.shennong.v1.ListSilencesRequest;
import io.feitian.proto.shennong.v1.ListSilencesResponse;
import io.feitian.proto.shennong.v1.MonitorServiceGrpc;
import io.feitian.proto.shennong.v1.ReloadRequest;
import io.feitian.proto.shennong.v1.ReloadResponse;
import io.feitian.shennong.monitor.notify.Matchers;
import io.feitian.shennong.monitor.notify.Silence;
import io.feitian.shennong.select.LabelMatcher;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * MonitorService: every call goes to the term in office ({@code term.get()}, which throws
 * UNAVAILABLE naming the leader on a standby) and runs on its loop. Requests are checked here,
 * so a bad one is refused with INVALID_ARGUMENT naming the field before it reaches the core.
 */
final class MonitorApi extends MonitorServiceGrpc.MonitorServiceImplBase {
  static final int DEFAULT_HISTORY = 100;

  /** Loads the rule directory and hands it to the term; fails with the rule file's error. */
  interface Reloader {
    CompletableFuture<ReloadResponse> reload();
  }

  private final Supplier<MonitorTerm> term;
  private final Reloader reloader;
  private final Clock clock;

  MonitorApi(Supplier<MonitorTerm> term, Reloader reloader, Clock clock) {
    this.term = term;
    this.reloader = reloader;
    this.clock = clock;
  }

  @Override
  public void listAlerts(ListAlertsRequest request, StreamObserver<ListAlertsResponse> response) {
    answer(response, () -> term.get().alerts(), a -> ListAlertsResponse.newBuilder().addAllAlerts(a).build());
  }

  @Override
  public void history(HistoryRequest request, StreamObserver<HistoryResponse> response) {
    answer(response, () -> {
      if (request.getLimit() < 0) {
        throw invalid("limit must be at least 0 (0: " + DEFAULT_HISTORY + "), got " + request.getLimit());
      }
      int limit = request.getLimit() == 0 ? DEFAULT_HISTORY : request.getLimit();
      return term.get().history(limit, request.getRule());
    }, h -> HistoryResponse.newBuilder().addAllTransitions(h).build());
  }

  @Override
  public void listRules(ListRulesRequest request, StreamObserver<ListRulesResponse> response) {
    answer(response, () -> term.get().rules(),
        r -> ListRulesResponse.newBuilder().addAllRules(r.rules()).setLoadedAtMs(r.loadedAtMs()).build());
  }

  @Override
  public void addSilence(AddSilenceRequest request, StreamObserver<AddSilenceResponse> response) {
    answer(response, () -> term.get().addSilence(silence(request, clock.millis())),
        s -> AddSilenceResponse.newBuilder().setSilence(s).build());
  }

  /** The silence a request asks for, with a new id; INVALID_ARGUMENT naming the first bad field. */
  static Silence silence(AddSilenceRequest r, long nowMs) {
    if (r.getMatchers().isBlank()) {
      throw invalid("matchers: required, e.g. {alertname=\"NodeCpuHigh\",node=\"n1\"}");
    }
    List<LabelMatcher> matchers;
    try {
      matchers = Matchers.parse(r.getMatchers());
    } catch (IllegalArgumentException e) {
      throw invalid("matchers: " + e.getMessage());
    }
    if (matchers.isEmpty() || Matchers.matchAll(matchers, Map.of())) {
      throw invalid("matchers: " + r.getMatchers() + " would mute every alert; name at least one label value");
    }
    if (r.getStartsAtMs() < 0) {
      throw invalid("starts_at_ms must be at least 0 (0: now), got " + r.getStartsAtMs());
    }
    long startsAt = r.getStartsAtMs() == 0 ? nowMs : r.getStartsAtMs();
    if (r.getEndsAtMs() <= startsAt) {
      throw invalid("ends_at_ms must be after starts_at_ms (" + startsAt + "), got " + r.getEndsAtMs());
    }
    if (r.getEndsAtMs() <= nowMs) {
      throw invalid("ends_at_ms is in the past: " + r.getEndsAtMs() + " (now " + nowMs + ")");
    }
    if (r.getCreatedBy().isBlank()) {
      throw invalid("created_by: required (who silences, for whoever wonders later)");
    }
    if (r.getComment().isBlank()) {
      throw invalid("comment: required (why the alerts are silenced)");
    }
    return new Silence(UUID.randomUUID().toString(), matchers, startsAt, r.getEndsAtMs(), r.getCreatedBy(),
        r.getComment());
  }

  @Override
  public void listSilences(ListSilencesRequest request, StreamObserver<ListSilencesResponse> response) {
    answer(response, () -> term.get().silences(), s -> ListSilencesResponse.newBuilder().addAllSilences(s).build());
  }

  @Override
  public void expireSilence(ExpireSilenceRequest request, StreamObserver<ExpireSilenceResponse> response) {
    answer(response, () -> {
      if (request.getId().isBlank()) {
        throw invalid("id: required");
      }
      return term.get().expireSilence(request.getId());
    }, s -> ExpireSilenceResponse.newBuilder().setSilence(s).build());
  }

  @Override
  public void reload(ReloadRequest request, StreamObserver<ReloadResponse> response) {
    answer(response, reloader::reload, r -> r);
  }

  private static StatusRuntimeException invalid(String description) {
    return Status.INVALID_ARGUMENT.withDescription(description).asRuntimeException();
  }
}
