package io.feitian.shennong.fanout;

import io.feitian.proto.shennong.v1.AddSubscription;
import io.feitian.proto.shennong.v1.AgentHello;
import io.feitian.proto.shennong.v1.AgentInfo;
import io.feitian.proto.shennong.v1.AgentStatus;
import io.feitian.proto.shennong.v1.Event;
import io.feitian.proto.shennong.v1.PartialReport;
import io.feitian.proto.shennong.v1.RemoveSubscription;
import io.feitian.proto.shennong.v1.Sample;
import io.feitian.proto.shennong.v1.SubscribeRequest;
import io.feitian.proto.shennong.v1.SubscriptionCommand;
import io.feitian.proto.shennong.v1.SubscriptionUpdate;
import io.feitian.shennong.fanout.AgentBook.Agent;
import io.feitian.shennong.ops.Evaluation;
import io.feitian.shennong.ops.MergedWindow;
import io.feitian.shennong.ops.WindowQuery;
import io.feitian.shennong.wire.PartialProtos;
import io.feitian.shennong.wire.QueryProtos;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The master's side of every subscription: routes each to the agents that may hold its data,
 * pushes it to agents as they register, collects their reports, merges windows, and queues the
 * results per subscriber. Driven by one thread; every call takes the time. What must leave the
 * process goes through the {@link Outbox}. One call may be made on other threads: {@link #read},
 * which reads a report's partials before the driving thread takes it, so that thread only merges;
 * for that the daemon hands the core a map those threads may read (the core holds no threads).
 */
public final class FanOut {
  /** How a subscription ended when the master ends it (a subscriber's cancel ends it quietly). */
  public enum Ending {
    /** More groups than allowed ({@code group_by}). */
    TOO_MANY_GROUPS,
    /** An agent refused to run it (its reason is given). */
    REFUSED_BY_AGENT
  }

  /** What leaves the core; called on the driving thread. */
  public interface Outbox {
    void toAgent(String nodeId, SubscriptionCommand command);

    /** The subscription has an update waiting: {@link #drain} it when the subscriber can take it. */
    void pending(String subscriptionId);

    void end(String subscriptionId, Ending ending, String message);

    /** The agent fell silent; its session should be closed (it will register again). */
    void loseSession(String nodeId, long sessionId, String reason);
  }

  /**
   * @param reportGraceMs how long after a window's end reports are waited for
   * @param statusIntervalMs how often agents send their status; silent for three, an agent is lost
   * @param keepLostMs how long a lost agent stays listed
   * @param maxSubscriptions subscriptions held at once
   */
  public record Settings(long reportGraceMs, long statusIntervalMs, long keepLostMs, int maxSubscriptions) {
    public Settings {
      if (reportGraceMs <= 0 || statusIntervalMs <= 0 || keepLostMs < 0 || maxSubscriptions <= 0) {
        throw new IllegalArgumentException("report grace, status interval and max subscriptions must be positive");
      }
    }
  }

  /** Thrown when the master holds its maximum of subscriptions. */
  public static final class TooManySubscriptions extends RuntimeException {
    TooManySubscriptions(String message) {
      super(message);
    }
  }

  private static final class Sub {
    final String id;
    final SubscribeRequest pushed;
    final WindowQuery query; // null for events
    final QueryProtos.EventQuery events; // null for metrics
    final Set<String> routed = new HashSet<>(); // asked per report and status: hashed, not sorted
    // Exactly one of the three queues, by kind.
    final SubscriberQueue.Windows windows;
    final SubscriberQueue.Forwarded<Sample> samples;
    final SubscriberQueue.Forwarded<Event> eventQueue;
    WindowCollector collector; // windowed only
    long lateSamples; // windowed: counted by agents in the reports taken since the last merged window
    // Until the first message is released: RAW metrics gather every routed agent's newest samples,
    // events every routed agent's held events.
    FirstReports<Sample> firstSamples;
    FirstReports<Event> firstEvents;
    // Events: per agent, the newest stamp taken from it, where it resumes if pushed again.
    final Map<String, Long> newestEventMs = new HashMap<>();

    Sub(String id, SubscribeRequest pushed, WindowQuery query, QueryProtos.EventQuery events) {
      this.id = id;
      this.pushed = pushed;
      this.query = query;
      this.events = events;
      this.windows = windowed() ? new SubscriberQueue.Windows(query.groupBy()) : null;
      this.samples = rawMetrics() ? SubscriberQueue.Forwarded.samples() : null;
      this.eventQueue = events != null ? SubscriberQueue.Forwarded.events() : null;
    }

    SubscriberQueue queue() {
      return windows != null ? windows : samples != null ? samples : eventQueue;
    }

    boolean windowed() {
      return query != null && !query.isRaw();
    }

    boolean rawMetrics() {
      return query != null && query.isRaw();
    }

    /** Events go to every agent: what an agent holds is not listed, and any may hold a matching one. */
    boolean mayRunOn(Agent a) {
      return events != null || a.mayHold(query.selector()::matchesName);
    }

    FirstReports<?> first() {
      return firstSamples != null ? firstSamples : firstEvents;
    }
  }

  /**
   * An agent's report as {@link #read} found it: for a windowed subscription, its partials read (or
   * why they could not be), for the query they were read with.
   */
  public static final class Received {
    private final PartialReport report;
    private final WindowQuery query;
    private final Evaluation evaluation;
    private final IllegalArgumentException bad;

    private Received(PartialReport report, WindowQuery query, Evaluation evaluation, IllegalArgumentException bad) {
      this.report = report;
      this.query = query;
      this.evaluation = evaluation;
      this.bad = bad;
    }

    public PartialReport report() {
      return report;
    }

    /** The partials for {@code q}: as read before if read for that query, else read now; IllegalArgumentException when malformed. */
    Evaluation evaluation(WindowQuery q) {
      if (query != q) {
        return PartialProtos.evaluation(report, q);
      }
      if (bad != null) {
        throw bad;
      }
      return evaluation;
    }
  }

  private final Settings settings;
  private final Outbox out;
  private final AgentBook agents;
  private final Map<String, Sub> subs = new LinkedHashMap<>();
  /** The windowed subscriptions' queries, for {@link #read}: written only by the driving thread. */
  private final Map<String, WindowQuery> windowedQueries;
  private long refusedReports;

  /** A core driven and read by one thread. */
  public FanOut(Settings settings, Outbox out) {
    this(settings, out, new HashMap<>());
  }

  /**
   * A core whose {@link #read} other threads call: {@code windowedQueries} is an empty map safe for
   * them to read while the driving thread writes it (a ConcurrentHashMap).
   */
  public FanOut(Settings settings, Outbox out, Map<String, WindowQuery> windowedQueries) {
    this.settings = settings;
    this.out = out;
    this.windowedQueries = windowedQueries;
    this.agents = new AgentBook(3 * settings.statusIntervalMs(), settings.keepLostMs());
  }

  public Settings settings() {
    return settings;
  }

  /**
   * Starts a subscription: checks it (IllegalArgumentException naming the field), routes it and
   * pushes it to its agents. Its first update follows: when the routed agents have sent their
   * newest samples (RAW) or the events they hold (events, merged oldest first), and when the window
   * that ended last is merged for a windowed operation.
   */
  public void subscribe(String id, SubscribeRequest request, long nowMs) {
    Sub sub;
    if (QueryProtos.isEvents(request)) {
      sub = new Sub(id, request, null, QueryProtos.events(request, nowMs));
    } else {
      WindowQuery query = QueryProtos.metrics(request);
      sub = new Sub(id, QueryProtos.request(query), query, null);
    }
    if (sub.windowed()) {
      for (Agent a : agents.up()) {
        if (sub.query.windowMs() > a.hello.getRetentionMs()) {
          throw new IllegalArgumentException("window_ms " + sub.query.windowMs() + " exceeds the retention of agent "
              + a.nodeId + " (" + a.hello.getRetentionMs() + " ms)");
        }
      }
    }
    if (subs.size() >= settings.maxSubscriptions()) {
      throw new TooManySubscriptions("the master holds its maximum of " + settings.maxSubscriptions()
          + " subscriptions");
    }
    subs.put(id, sub);
    if (sub.windowed()) {
      windowedQueries.put(id, sub.query); // before any agent is asked: its reports find the query
    }
    for (Agent a : agents.known()) {
      if (sub.mayRunOn(a)) {
        sub.routed.add(a.nodeId); // lost ones too: their absence is named
      }
    }
    if (sub.windowed()) {
      sub.collector = new WindowCollector(sub.query, sub.query.windowEndAtOrBefore(nowMs), settings.reportGraceMs(),
          routedView(sub), agents::isUp);
    } else {
      List<String> awaited = sub.routed.stream().filter(agents::isUp).toList();
      long deadline = nowMs + settings.reportGraceMs();
      if (sub.rawMetrics()) {
        sub.firstSamples = new FirstReports<>(awaited, deadline);
      } else {
        sub.firstEvents = new FirstReports<>(awaited, deadline);
      }
    }
    sub.routed.stream().filter(agents::isUp).forEach(node -> push(sub, node));
    tick(nowMs);
  }

  /** Ends a subscription its subscriber left: its agents drop it. */
  public void unsubscribe(String id) {
    Sub sub = subs.remove(id);
    windowedQueries.remove(id);
    if (sub != null) {
      SubscriptionCommand remove = SubscriptionCommand.newBuilder()
          .setRemove(RemoveSubscription.newBuilder().setSubscriptionId(id)).build();
      sub.routed.forEach(node -> out.toAgent(node, remove));
    }
  }

  /** The subscription's next update for its subscriber, or null when nothing waits. */
  public SubscriptionUpdate drain(String id) {
    Sub sub = subs.get(id);
    return sub == null ? null : sub.queue().drain();
  }

  public int subscriptions() {
    return subs.size();
  }

  /**
   * Agents the cluster's registry lists (a new leader reads it when it takes office). Until each
   * registers here, every subscription counts on it and names it missing: a new master does not
   * show a sum without the agents it has not heard from yet as if it were whole.
   */
  public void expect(Collection<String> nodeIds, long nowMs) {
    for (Agent a : agents.expect(nodeIds, nowMs)) {
      subs.values().forEach(sub -> sub.routed.add(a.nodeId));
    }
  }

  /** Checks a hello's fields; IllegalArgumentException names the first bad one. */
  public static void check(AgentHello hello) {
    AgentBook.check(hello);
  }

  /** A new agent session; the node's subscriptions are pushed to it. Throws IllegalArgumentException for a bad hello. */
  public void hello(long sessionId, AgentHello hello, long nowMs) {
    Agent a = agents.open(sessionId, hello, nowMs);
    for (Sub sub : subs.values()) {
      sub.routed.remove(a.nodeId); // a new session starts with no subscriptions
      route(sub, a);
    }
  }

  public void status(long sessionId, String nodeId, AgentStatus status, long nowMs) {
    agents.current(nodeId, sessionId).ifPresent(a -> {
      a.lastContactMs = nowMs;
      a.status = status;
      subs.values().forEach(sub -> route(sub, a));
    });
  }

  /**
   * Reads a report's partials when it is for a windowed subscription held here (the t-digests of a
   * QUANTILE one included). Other threads may call it when the core was made with a map they may
   * read; the master's transport threads do, so the driving thread, which every agent's reports
   * pass through, only merges. A report of another kind is returned unread.
   */
  public Received read(PartialReport report) {
    WindowQuery q = windowedQueries.get(report.getSubscriptionId());
    if (q == null) {
      // RAW samples are keyed by name and labels on the driving thread; a String keeps its hash once
      // taken, so taking it here leaves that thread little to hash (9% of it at 100 agents).
      for (Sample s : report.getSamplesList()) {
        s.getName().hashCode();
        s.getLabelsMap().hashCode();
      }
      return new Received(report, null, null, null);
    }
    try {
      return new Received(report, q, PartialProtos.evaluation(report, q), null);
    } catch (IllegalArgumentException bad) {
      return new Received(report, q, null, bad);
    }
  }

  /** An agent's report, read here: see {@link #report(long, String, Received, long)}. */
  public boolean report(long sessionId, String nodeId, PartialReport report, long nowMs) {
    return report(sessionId, nodeId, read(report), nowMs);
  }

  /**
   * An agent's report as {@link #read} returned it; a malformed one is refused (counted), never
   * merged. Returns whether {@link #nextDeadlineMs} may have come sooner: not after a RAW or events
   * subscription's report once its first message is out (most of the reports), so the driving
   * thread need not ask it again after each of those.
   */
  public boolean report(long sessionId, String nodeId, Received received, long nowMs) {
    PartialReport report = received.report();
    Agent a = agents.current(nodeId, sessionId).orElse(null);
    Sub sub = subs.get(report.getSubscriptionId());
    if (a == null) {
      return false;
    }
    a.lastContactMs = nowMs; // later silence: a wake-up that comes early finds nothing and asks again
    if (sub == null || !sub.routed.contains(nodeId)) {
      return false; // cancelled meanwhile
    }
    boolean deadlineMayMove = sub.windowed() || sub.first() != null;
    try {
      take(sub, nodeId, received, nowMs);
    } catch (IllegalArgumentException bad) {
      refusedReports++;
    }
    return deadlineMayMove;
  }

  private void take(Sub sub, String nodeId, Received received, long nowMs) {
    PartialReport report = received.report();
    if (sub.windowed()) {
      sub.collector.add(nodeId, report.getWindowEndMs(), received.evaluation(sub.query));
      sub.lateSamples += Math.max(0, report.getLateSamples()); // real even when the report itself was refused
      finishDue(sub, nowMs);
    } else if (sub.rawMetrics()) {
      if (report.getGroupsOverLimit() > 0) {
        end(sub, Ending.TOO_MANY_GROUPS, "selector matches more than " + WindowQuery.MAX_GROUPS
            + " series on agent " + nodeId);
      } else if (sub.firstSamples != null) {
        sub.firstSamples.add(nodeId, report.getSamplesList(), 0);
        releaseFirst(sub, nowMs);
      } else {
        sub.samples.offer(Map.of(nodeId, report.getSamplesList()));
        out.pending(sub.id);
      }
    } else {
      report.getEventsList().forEach(e -> sub.newestEventMs.merge(nodeId, e.getTimestampMs(), Math::max));
      if (sub.firstEvents != null) {
        sub.firstEvents.add(nodeId, report.getEventsList(), report.getEventsOmitted());
        releaseFirst(sub, nowMs);
      } else {
        // An agent's first report after it registered again: what it held since it was last heard.
        sub.eventQueue.offer(SubscriberQueue.Forwarded.from(nodeId, report.getEventsList()),
            report.getEventsOmitted());
        out.pending(sub.id);
      }
    }
  }

  /** An agent could not run a subscription: the subscriber is told why. */
  public void refused(long sessionId, String nodeId, String subscriptionId, String reason, long nowMs) {
    agents.current(nodeId, sessionId).ifPresent(a -> {
      a.lastContactMs = nowMs;
      Sub sub = subs.get(subscriptionId);
      if (sub != null) {
        end(sub, Ending.REFUSED_BY_AGENT, "agent " + nodeId + " refused the subscription: " + reason);
      }
    });
  }

  /** The session ended (its stream closed or failed): the agent is lost until it registers again (see lose). */
  public void sessionEnded(long sessionId, String nodeId, long nowMs) {
    agents.current(nodeId, sessionId).ifPresent(a -> lose(a, nowMs));
  }

  /** Merges windows whose time has come, releases first messages, loses silent agents. */
  public void tick(long nowMs) {
    for (Agent a : agents.silent(nowMs)) {
      out.loseSession(a.nodeId, a.sessionId, "silent for more than " + 3 * settings.statusIntervalMs() + " ms");
      lose(a, nowMs);
    }
    for (String forgotten : agents.forgetOldLost(nowMs)) {
      subs.values().forEach(sub -> sub.routed.remove(forgotten));
    }
    for (Sub sub : List.copyOf(subs.values())) {
      if (sub.windowed()) {
        finishDue(sub, nowMs);
      } else if (sub.first() != null) {
        releaseFirst(sub, nowMs);
      }
    }
  }

  /** When {@link #tick} has work next, or Long.MAX_VALUE. */
  public long nextDeadlineMs() {
    long next = agents.nextSilenceMs();
    for (Sub sub : subs.values()) {
      if (sub.windowed()) {
        next = Math.min(next, sub.collector.deadline());
      } else if (sub.first() != null) {
        next = Math.min(next, sub.first().deadlineMs());
      }
    }
    return next;
  }

  /** The master's own figures, by Micrometer-style name (for /metrics). */
  public Map<String, Double> figures() {
    Map<String, Double> f = new LinkedHashMap<>();
    long up = agents.up().size();
    f.put("shennong.master.agents.up", (double) up);
    f.put("shennong.master.agents.lost", (double) (agents.known().size() - up));
    f.put("shennong.master.subscriptions", (double) subs.size());
    f.put("shennong.master.refused.reports", (double) refusedReports());
    return f;
  }

  public List<AgentInfo> agents(boolean includeLost, long nowMs) {
    return agents.infos(includeLost, nowMs);
  }

  /** Reports refused as malformed, or for windows already merged, since the master started leading. */
  public long refusedReports() {
    return refusedReports + subs.values().stream().filter(Sub::windowed)
        .mapToLong(s -> s.collector.refusedReports()).sum();
  }

  /**
   * A lost agent stays routed until it is forgotten: windows name it missing rather than look whole
   * without its data, but no longer wait for it.
   */
  private void lose(Agent a, long nowMs) {
    agents.lose(a);
    a.lastContactMs = Math.min(a.lastContactMs, nowMs);
    for (Sub sub : List.copyOf(subs.values())) {
      if (sub.windowed()) {
        finishDue(sub, nowMs);
      } else if (sub.first() != null) {
        sub.first().gone(a.nodeId);
        releaseFirst(sub, nowMs);
      }
    }
  }

  private void route(Sub sub, Agent a) {
    if (!sub.routed.contains(a.nodeId) && sub.mayRunOn(a)) {
      sub.routed.add(a.nodeId);
      push(sub, a.nodeId);
    }
  }

  /** The agents a subscription is routed to, read live (not copied: asked after every report). */
  private static Supplier<Set<String>> routedView(Sub sub) {
    Set<String> view = Collections.unmodifiableSet(sub.routed);
    return () -> view;
  }

  private void push(Sub sub, String nodeId) {
    AddSubscription.Builder add = AddSubscription.newBuilder().setSubscriptionId(sub.id).setRequest(sub.pushed);
    if (sub.windowed()) {
      add.setFirstWindowEndMs(sub.collector.nextEndMs());
    }
    Long newest = sub.newestEventMs.get(nodeId);
    if (newest != null && newest > sub.events.sinceMs()) {
      // Pushed again (the agent registered again): only what this agent holds beyond what it sent.
      add.setRequest(sub.pushed.toBuilder().setEventsSinceMs(newest));
    }
    out.toAgent(nodeId, SubscriptionCommand.newBuilder().setAdd(add).build());
  }

  private void finishDue(Sub sub, long nowMs) {
    List<MergedWindow> done = sub.collector.due(nowMs);
    for (MergedWindow w : done) {
      if (w.groupsOverLimit() > 0) {
        end(sub, Ending.TOO_MANY_GROUPS, "group_by makes more than " + WindowQuery.MAX_GROUPS + " groups");
        return;
      }
      sub.windows.offer(w, sub.lateSamples);
      sub.lateSamples = 0;
    }
    if (!done.isEmpty()) {
      out.pending(sub.id);
    }
  }

  private void releaseFirst(Sub sub, long nowMs) {
    if (!sub.first().ready(nowMs)) {
      return;
    }
    if (sub.firstSamples != null) {
      sub.samples.offer(sub.firstSamples.byAgent());
      sub.firstSamples = null;
    } else {
      List<SubscriberQueue.From<Event>> merged = new ArrayList<>();
      sub.firstEvents.byAgent().forEach((agent, events) -> merged.addAll(SubscriberQueue.Forwarded.from(agent, events)));
      merged.sort(Comparator.comparingLong(f -> f.item().getTimestampMs())); // stable: each agent's order kept
      // The newest that fit what a subscriber may have pending; the older ones are counted as dropped.
      int keep = Math.min(merged.size(), SubscriberQueue.MAX_PENDING_KEYS);
      sub.eventQueue.offer(merged.subList(merged.size() - keep, merged.size()),
          sub.firstEvents.omitted() + merged.size() - keep);
      sub.firstEvents = null;
    }
    out.pending(sub.id);
  }

  private void end(Sub sub, Ending ending, String message) {
    unsubscribe(sub.id);
    out.end(sub.id, ending, message);
  }
}
