package io.feitian.shennong.monitor.service;

import io.feitian.proto.shennong.v1.AlertInfo;
import io.feitian.proto.shennong.v1.AlertPhase;
import io.feitian.proto.shennong.v1.AlertTransition;
import io.feitian.proto.shennong.v1.RuleInfo;
import io.feitian.proto.shennong.v1.SilenceInfo;
import io.feitian.shennong.monitor.alerts.Alert;
import io.feitian.shennong.monitor.alerts.AlertEvaluator;
import io.feitian.shennong.monitor.alerts.AlertState;
import io.feitian.shennong.monitor.notify.Matchers;
import io.feitian.shennong.monitor.notify.Silence;
import io.feitian.shennong.monitor.rules.Condition;
import io.feitian.shennong.monitor.rules.Rule;
import java.util.List;

/** The monitor core's values as MonitorService's messages. */
final class MonitorProtos {
  private MonitorProtos() {}

  static AlertPhase phase(AlertState state) {
    return switch (state) {
      case INACTIVE -> AlertPhase.ALERT_PHASE_INACTIVE;
      case PENDING -> AlertPhase.ALERT_PHASE_PENDING;
      case FIRING -> AlertPhase.ALERT_PHASE_FIRING;
      case RESOLVED -> AlertPhase.ALERT_PHASE_RESOLVED;
    };
  }

  static AlertInfo alert(Alert a, List<String> silencedBy, boolean inhibited) {
    return AlertInfo.newBuilder().setRule(a.rule()).putAllLabels(a.labels()).putAllAnnotations(a.annotations())
        .setPhase(phase(a.state())).setActiveAtMs(a.activeAtMs()).setFiredAtMs(a.firedAtMs())
        .setResolvedAtMs(a.resolvedAtMs()).setValue(a.value()).setFingerprint(a.fingerprint())
        .addAllSilencedBy(silencedBy).setInhibited(inhibited).build();
  }

  static AlertTransition transition(HistoryEntry e) {
    return AlertTransition.newBuilder().setAtMs(e.atMs()).setRule(e.rule()).putAllLabels(e.labels())
        .setFrom(phase(AlertState.valueOf(e.from()))).setTo(phase(AlertState.valueOf(e.to()))).setValue(e.value())
        .setFingerprint(e.fingerprint()).setEpoch(e.epoch()).build();
  }

  static RuleInfo rule(Rule r, AlertEvaluator.RuleStatus status, String subscriptionError) {
    return RuleInfo.newBuilder().setName(r.name()).setKind(kind(r.condition())).setOrigin(r.origin().toString())
        .setSelector(r.subscription().getSelector()).setLastEvaluatedMs(status.lastEvaluatedMs())
        .setPending(status.pending()).setFiring(status.firing()).setResolved(status.resolved())
        .setSubscriptionError(subscriptionError).build();
  }

  static String kind(Condition c) {
    if (c instanceof Condition.Threshold) {
      return "threshold";
    }
    return c instanceof Condition.Absence ? "absent" : "events";
  }

  static SilenceInfo silence(Silence s, long nowMs) {
    String state = s.endsAtMs() <= nowMs ? "expired" : s.startsAtMs() > nowMs ? "pending" : "active";
    return SilenceInfo.newBuilder().setId(s.id()).setMatchers(Matchers.format(s.matchers()))
        .setStartsAtMs(s.startsAtMs()).setEndsAtMs(s.endsAtMs()).setCreatedBy(s.createdBy()).setComment(s.comment())
        .setState(state).build();
  }
}
