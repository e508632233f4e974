package io.feitian.shennong.monitor.service;

import io.feitian.client.shennong.MonitorClient;
import io.feitian.client.shennong.Subscription;
import io.feitian.common.lifecycle.EventLoop;
import io.feitian.common.zk.Fence;
import io.feitian.common.zk.FencedOutException;
import io.feitian.proto.shennong.v1.AlertInfo;
import io.feitian.proto.shennong.v1.AlertTransition;
import io.feitian.proto.shennong.v1.Kind;
import io.feitian.proto.shennong.v1.RuleInfo;
import io.feitian.proto.shennong.v1.SilenceInfo;
import io.feitian.proto.shennong.v1.SubscribeRequest;
import io.feitian.proto.shennong.v1.SubscriptionUpdate;
import io.feitian.shennong.monitor.alerts.Alert;
import io.feitian.shennong.monitor.alerts.AlertEvaluator;
import io.feitian.shennong.monitor.alerts.Transition;
import io.feitian.shennong.monitor.json.MonitorSnapshot;
import io.feitian.shennong.monitor.notify.Matchers;
import io.feitian.shennong.monitor.notify.Notification;
import io.feitian.shennong.monitor.notify.Notifier;
import io.feitian.shennong.monitor.notify.Silence;
import io.feitian.shennong.monitor.notify.Silences;
import io.feitian.shennong.monitor.rules.Condition;
import io.feitian.shennong.monitor.rules.Rule;
import io.feitian.shennong.monitor.rules.RuleSet;
import io.grpc.Status;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One term of leadership of the monitor-service: the rule evaluator and the notifier, restored
 * from the stored state, and one Shennong subscription per rule, all driven on one thread (the
 * loop). Updates are fed in as they come; rules are evaluated every {@code evaluation-interval}
 * and the notifier is stepped after each evaluation and whenever a group is due. Every change that
 * matters (a transition, a notification, a silence, a reload) is written to ZooKeeper through the
 * term's fence before its notifications go out, so a deposed leader sends nothing its successor
 * does not know was sent.
 */
final class MonitorTerm implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MonitorTerm.class);

  /** What the term needs from its daemon, for the term's life. */
  record Parts(MonitorSettings settings, Clock clock, MonitorClient shennong, StateStore store,
               Deliveries deliveries) {}

  /** One rule's subscription; updates of a handle no longer in {@link #subscriptions} are dropped. */
  private final class Handle implements Subscription.Listener {
    final String rule;
    final SubscribeRequest request;
    Subscription subscription;

    Handle(String rule, SubscribeRequest request) {
      this.rule = rule;
      this.request = request;
    }

    @Override
    public void onStream(String master) {
      loop.post(() -> log.info("rule {}: subscribed through shennong-master {}", rule, master));
    }

    @Override
    public void onUpdate(SubscriptionUpdate update) {
      loop.post(() -> {
        if (subscriptions.get(rule) == this) {
          observe(rule, request.getKind() == Kind.KIND_EVENTS, update);
        }
      });
    }

    @Override
    public void onEnd(Status status) {
      if (!status.isOk()) {
        loop.post(() -> {
          if (subscriptions.get(rule) == this) {
            log.error("rule {}: its subscription ended for good: {}", rule, status);
            subscriptionErrors.put(rule, status.getCode() + ": " + status.getDescription());
          }
        });
      }
    }
  }

  private final long epoch;
  private final Fence fence;
  private final Parts parts;
  private final MonitorSettings settings;
  private final Clock clock;
  private final EventLoop loop;
  // Loop-owned:
  private RuleSet rules;
  private long rulesLoadedAtMs;
  private AlertEvaluator evaluator;
  private final Notifier notifier;
  private final AlertHistory history;
  private final Map<String, Handle> subscriptions = new HashMap<>();
  private final Map<String, String> subscriptionErrors = new HashMap<>();
  private final WholeWindows wholeWindows = new WholeWindows();
  /** Something was observed since the state was last written. */
  private boolean observedSinceWrite;
  private long lastWriteMs;
  private boolean closed;

  /**
   * Begins a term with {@code rules}, going on from {@code stored} (the previous leader's state)
   * when there is one.
   */
  MonitorTerm(long epoch, Fence fence, RuleSet rules, Optional<StoredState> stored, Parts parts) {
    this.epoch = epoch;
    this.fence = fence;
    this.parts = parts;
    this.settings = parts.settings();
    this.clock = parts.clock();
    // First: a data directory that cannot be written fails the term before anything else starts.
    this.history = new AlertHistory(settings.dataDir(), settings.historyFileBytes(), settings.historyKept(),
        stored.map(StoredState::recentHistory).orElse(List.of()));
    this.loop = new EventLoop("monitor-term-" + epoch, e -> log.error("a task of term {} failed", epoch, e));
    long now = clock.millis();
    this.rules = rules;
    this.rulesLoadedAtMs = now;
    if (stored.isPresent()) {
      MonitorSnapshot s = stored.get().monitor();
      evaluator = AlertEvaluator.restore(rules, s.evaluator(), now);
      notifier = Notifier.restore(settings.policy(), rules.inhibitions(), s.notifier());
      log.info("term {}: going on from the state of term {} ({} alerts, {} silences)", epoch, stored.get().epoch(),
          s.evaluator().alerts().size(), s.notifier().silences().size());
    } else {
      evaluator = new AlertEvaluator(rules, now);
      notifier = new Notifier(settings.policy(), rules.inhibitions(), new Silences());
      log.info("term {}: no stored state; starting afresh", epoch);
    }
    loop.post(() -> {
      subscribeAll();
      write(List.of(), List.of());
    });
    loop.every(settings.evaluationIntervalMs(), settings.evaluationIntervalMs(), this::evaluate);
  }

  long epoch() {
    return epoch;
  }

  private void subscribeAll() {
    for (Rule rule : rules.rules()) {
      SubscribeRequest request = rule.subscription();
      Handle current = subscriptions.get(rule.name());
      if (current != null && current.request.equals(request)) {
        continue;
      }
      if (current != null) {
        current.subscription.close();
      }
      if (request.getKind() == Kind.KIND_EVENTS) {
        request = request.toBuilder().setEventsSinceMs(evaluator.eventsSinceMs(rule.name())).build();
      }
      Handle h = new Handle(rule.name(), rule.subscription());
      subscriptions.put(rule.name(), h);
      subscriptionErrors.remove(rule.name());
      wholeWindows.forget(rule.name());
      h.subscription = parts.shennong().subscribe(request, h);
    }
    List<String> gone = subscriptions.keySet().stream().filter(name -> rules.rule(name) == null).toList();
    for (String name : gone) {
      subscriptions.remove(name).subscription.close();
      subscriptionErrors.remove(name);
      wholeWindows.forget(name);
    }
  }

  private void observe(String rule, boolean events, SubscriptionUpdate update) {
    if (events) {
      update.getEventsList().forEach(e -> evaluator.observeEvent(rule, e));
    } else if (!(rules.rule(rule).condition() instanceof Condition.Threshold)) {
      evaluator.observeUpdate(rule, update);
    } else {
      wholeWindows.take(rule, update).ifPresent(u -> evaluator.observeUpdate(rule, u));
    }
    observedSinceWrite = true;
  }

  private void evaluate() {
    long now = clock.millis();
    List<Transition> transitions = evaluator.evaluate(now);
    List<HistoryEntry> entries = new ArrayList<>();
    for (Transition t : transitions) {
      log.info("alert {}", t);
      entries.add(HistoryEntry.of(t, epoch));
    }
    history.record(entries);
    notifier.silences().forgetEndedBefore(now - settings.keepExpiredSilencesMs());
    flush(now, entries);
  }

  /**
   * Steps the notifier; writes the state when something changed (with {@code transitions}, the
   * history entries recorded since the last flush), then sends what is due.
   */
  private void flush(long now, List<HistoryEntry> transitions) {
    List<Notification> due = notifier.step(now, evaluator.alerts());
    if (!transitions.isEmpty() || !due.isEmpty()
        || observedSinceWrite && now - lastWriteMs >= settings.snapshotIntervalMs()) {
      write(due, transitions);
    }
    loop.wakeAt(notifier.nextFlushMs(), now, () -> flush(clock.millis(), List.of()));
  }

  /**
   * Writes the state (and appends {@code transitions} to the stored history) and, once it is in
   * ZooKeeper, sends {@code due}. A write refused by the fence means another leader took over from
   * an earlier state: it decides and sends these itself.
   */
  private CompletableFuture<Void> write(List<Notification> due, List<HistoryEntry> transitions) {
    long now = clock.millis();
    lastWriteMs = now;
    observedSinceWrite = false;
    MonitorSnapshot snapshot = new MonitorSnapshot(now, evaluator.snapshot(), notifier.snapshot());
    return parts.store().write(fence, snapshot, transitions).whenComplete((ok, error) -> {
      if (error instanceof FencedOutException || error != null && error.getCause() instanceof FencedOutException) {
        log.warn("term {} is over (a newer leader wrote the epoch); not sending {} notifications", epoch, due.size());
        return;
      }
      if (error != null) {
        // ZooKeeper failing without a new leader: the notifications are still this leader's to send.
        log.error("term {}: could not write the monitor state; sending anyway", epoch, error);
      }
      due.forEach(parts.deliveries()::deliver);
    });
  }

  // ---- The API: each call runs on the loop. ----

  CompletableFuture<List<AlertInfo>> alerts() {
    return loop.call(() -> {
      long now = clock.millis();
      List<Alert> all = evaluator.alerts();
      List<Alert> firing = all.stream().filter(Alert::isFiring).toList();
      List<AlertInfo> out = new ArrayList<>();
      for (Alert a : all) {
        List<String> silencedBy = notifier.silences().silencing(a.labels(), now);
        boolean inhibited = silencedBy.isEmpty() && notifier.muted(a, now, firing);
        out.add(MonitorProtos.alert(a, silencedBy, inhibited));
      }
      return out;
    });
  }

  CompletableFuture<List<AlertTransition>> history(int limit, String rule) {
    return loop.call(() -> history.newest(limit, rule).stream().map(MonitorProtos::transition).toList());
  }

  record RuleListing(List<RuleInfo> rules, long loadedAtMs) {}

  CompletableFuture<RuleListing> rules() {
    return loop.call(() -> {
      List<RuleInfo> out = new ArrayList<>();
      for (AlertEvaluator.RuleStatus s : evaluator.ruleStatus()) {
        out.add(MonitorProtos.rule(rules.rule(s.rule()), s, subscriptionErrors.getOrDefault(s.rule(), "")));
      }
      return new RuleListing(out, rulesLoadedAtMs);
    });
  }

  /** Adds the silence (its id given here) and writes the state; IllegalArgumentException for a bad one. */
  CompletableFuture<SilenceInfo> addSilence(Silence silence) {
    return loop.call(() -> {
      notifier.silences().add(silence);
      log.info("silence {} added by {}: {} until {} ({})", silence.id(), silence.createdBy(),
          Matchers.format(silence.matchers()), silence.endsAtMs(),
          silence.comment());
      write(List.of(), List.of());
      return MonitorProtos.silence(silence, clock.millis());
    });
  }

  CompletableFuture<List<SilenceInfo>> silences() {
    return loop.call(() -> {
      long now = clock.millis();
      return notifier.silences().list().stream().map(s -> MonitorProtos.silence(s, now)).toList();
    });
  }

  /** Ends the silence now; NoSuchElementException for an unknown id. */
  CompletableFuture<SilenceInfo> expireSilence(String id) {
    return loop.call(() -> {
      long now = clock.millis();
      Silence s = notifier.silences().expire(id, now);
      log.info("silence {} expired", id);
      write(List.of(), List.of());
      return MonitorProtos.silence(s, now);
    });
  }

  /**
   * Runs {@code newRules} from now on: the evaluator goes on from its own snapshot with them (state
   * of removed rules dropped, so the notifier resolves their alerts), inhibitions are replaced, and
   * subscriptions of new or changed rules are opened and those of removed rules closed.
   */
  CompletableFuture<RuleSet> reload(RuleSet newRules) {
    return loop.call(() -> {
      long now = clock.millis();
      evaluator = AlertEvaluator.restore(newRules, evaluator.snapshot(), now);
      notifier.setInhibitions(newRules.inhibitions());
      rules = newRules;
      rulesLoadedAtMs = now;
      subscribeAll();
      write(List.of(), List.of());
      log.info("term {}: reloaded {} rules and {} inhibitions", epoch, newRules.rules().size(),
          newRules.inhibitions().size());
      return newRules;
    });
  }

  /** Ends the term: subscriptions closed, the loop stopped. Notifications in flight to webhooks go on. */
  @Override
  public void close() {
    loop.call(() -> {
      if (!closed) {
        closed = true;
        subscriptions.values().forEach(h -> h.subscription.close());
        subscriptions.clear();
        history.close();
      }
      return null;
    }).handle((v, e) -> null).join();
    loop.close();
  }
}
