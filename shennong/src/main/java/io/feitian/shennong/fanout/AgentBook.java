package io.feitian.shennong.fanout;

import io.feitian.common.app.FieldChecks;
import io.feitian.common.config.NodeId;
import io.feitian.proto.shennong.v1.AgentHello;
import io.feitian.proto.shennong.v1.AgentInfo;
import io.feitian.proto.shennong.v1.AgentState;
import io.feitian.proto.shennong.v1.AgentStatus;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The agents a master knows: each node's current session, when it last spoke, what it holds, and
 * whether it is up. A node has one session at a time; a newer hello replaces the older session,
 * and messages of a replaced or ended session are not the node's any more. A lost agent stays
 * listed for a while, so operators see what went away.
 */
final class AgentBook {
  private static final FieldChecks HELLO = new FieldChecks("hello.");

  static final class Agent {
    final String nodeId;
    final long sessionId;
    final AgentHello hello;
    final long registeredAtMs;
    long lastContactMs;
    AgentStatus status;
    boolean up = true;

    private Agent(String nodeId, long sessionId, AgentHello hello, long nowMs) {
      this.nodeId = nodeId;
      this.sessionId = sessionId;
      this.hello = hello;
      this.registeredAtMs = nowMs;
      this.lastContactMs = nowMs;
      this.status = hello.getStatus();
    }

    /** An agent present in the cluster that has not registered with this master yet. */
    private static Agent expected(String nodeId, long nowMs) {
      Agent a = new Agent(nodeId, NO_SESSION, AgentHello.newBuilder().setNodeId(nodeId).build(), 0);
      a.lastContactMs = nowMs;
      a.status = AgentStatus.newBuilder().setNamesTruncated(true).build(); // what it holds is unknown
      a.up = false;
      return a;
    }

    /** Whether a subscription with names matching {@code mayMatch} could find data here. */
    boolean mayHold(Predicate<String> mayMatch) {
      return status.getNamesTruncated() || status.getSeriesNamesList().stream().anyMatch(mayMatch);
    }
  }

  /** The session of an agent known only from the cluster's registry. */
  static final long NO_SESSION = -1;

  private final TreeMap<String, Agent> agents = new TreeMap<>();
  private final long silenceMs;
  private final long keepLostMs;

  /**
   * @param silenceMs an agent silent this long is lost
   * @param keepLostMs a lost agent is listed this long
   */
  AgentBook(long silenceMs, long keepLostMs) {
    this.silenceMs = silenceMs;
    this.keepLostMs = keepLostMs;
  }

  /** Checks a hello's fields, naming the first bad one. */
  static void check(AgentHello hello) {
    HELLO.matches("node_id", hello.getNodeId(), NodeId.PATTERN);
    HELLO.maxBytes("address", hello.getAddress(), 256);
    HELLO.maxBytes("rack", hello.getRack(), 128);
    if (hello.getRetentionMs() <= 0) {
      throw HELLO.bad("retention_ms", "must be positive, got " + hello.getRetentionMs());
    }
  }

  /** A new session for the node; the previous one, if any, is no longer the node's. */
  Agent open(long sessionId, AgentHello hello, long nowMs) {
    check(hello);
    Agent a = new Agent(hello.getNodeId(), sessionId, hello, nowMs);
    agents.put(a.nodeId, a);
    return a;
  }

  /** Agents the cluster says are present but that have no session here yet: known, not up. */
  List<Agent> expect(Collection<String> nodeIds, long nowMs) {
    List<Agent> added = new ArrayList<>();
    for (String nodeId : nodeIds) {
      if (!agents.containsKey(nodeId)) {
        Agent a = Agent.expected(nodeId, nowMs);
        agents.put(nodeId, a);
        added.add(a);
      }
    }
    return added;
  }

  /** The node's agent if {@code sessionId} is its current session and it is up. */
  Optional<Agent> current(String nodeId, long sessionId) {
    Agent a = agents.get(nodeId);
    return a != null && a.sessionId == sessionId && a.up ? Optional.of(a) : Optional.empty();
  }

  /** Marks the agent lost. */
  void lose(Agent a) {
    a.up = false;
  }

  /** Up agents silent longer than the silence allowed, which the caller then loses. */
  List<Agent> silent(long nowMs) {
    return agents.values().stream().filter(a -> a.up && nowMs - a.lastContactMs > silenceMs).toList();
  }

  /** When the next agent may fall silent, or Long.MAX_VALUE. */
  long nextSilenceMs() {
    long next = Long.MAX_VALUE; // a plain loop: asked once per burst of messages, over every agent
    for (Agent a : agents.values()) {
      if (a.up) {
        next = Math.min(next, a.lastContactMs + silenceMs + 1);
      }
    }
    return next;
  }

  /** Forgets agents lost longer ago than they are kept; returns their node ids. */
  List<String> forgetOldLost(long nowMs) {
    List<String> forgotten = agents.values().stream().filter(a -> !a.up && nowMs - a.lastContactMs > keepLostMs)
        .map(a -> a.nodeId).toList();
    forgotten.forEach(agents::remove);
    return forgotten;
  }

  boolean isUp(String nodeId) {
    Agent a = agents.get(nodeId);
    return a != null && a.up;
  }

  /** Every agent listed, up or lost. */
  List<Agent> known() {
    return List.copyOf(agents.values());
  }

  List<Agent> up() {
    return agents.values().stream().filter(a -> a.up).toList();
  }

  /** ListAgents' answer, sorted by node id. */
  List<AgentInfo> infos(boolean includeLost, long nowMs) {
    List<AgentInfo> infos = new ArrayList<>();
    for (Agent a : agents.values()) {
      if (a.up || includeLost) {
        infos.add(AgentInfo.newBuilder().setNodeId(a.nodeId).setAddress(a.hello.getAddress())
            .setRack(a.hello.getRack()).setState(a.up ? AgentState.AGENT_STATE_UP : AgentState.AGENT_STATE_LOST)
            .setLastContactAgeMs(Math.max(0, nowMs - a.lastContactMs)).setRegisteredAtMs(a.registeredAtMs)
            .setIncarnation(a.hello.getIncarnation()).setStatus(a.status)
            .setSubscriptions(a.status.getSubscriptions()).build());
      }
    }
    return infos;
  }
}
