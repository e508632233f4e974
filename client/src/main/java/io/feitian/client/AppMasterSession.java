package io.feitian.client;

import com.google.protobuf.ByteString;
import io.feitian.common.app.MasterAttempt;
import io.feitian.common.grpc.StatusText;
import io.feitian.common.retry.Backoff;
import io.feitian.proto.common.v1.Resources;
import io.feitian.proto.fuxi.v1.AppMasterMessage;
import io.feitian.proto.fuxi.v1.Attach;
import io.feitian.proto.fuxi.v1.Grant;
import io.feitian.proto.fuxi.v1.LocalityDemand;
import io.feitian.proto.fuxi.v1.LocalityLevel;
import io.feitian.proto.fuxi.v1.ReportBadNode;
import io.feitian.proto.fuxi.v1.ReturnGrants;
import io.feitian.proto.fuxi.v1.RevokeReason;
import io.feitian.proto.fuxi.v1.SchedulingEvent;
import io.feitian.proto.fuxi.v1.UnitRequest;
import io.feitian.proto.fuxi.v1.Unregister;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An application master's scheduling session: sends demand as deltas,
 * receives grants, and survives fuxi-master failovers by re-attaching to the
 * new leader with the grants it holds and the demand still outstanding.
 * Listener calls come from gRPC threads, one at a time.
 */
public final class AppMasterSession implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AppMasterSession.class);
  private static final Set<Status.Code> FATAL = Set.of(Status.Code.NOT_FOUND, Status.Code.INVALID_ARGUMENT,
      Status.Code.PERMISSION_DENIED, Status.Code.UNAUTHENTICATED, Status.Code.FAILED_PRECONDITION);

  /** What the session tells its application master. */
  public interface Listener {
    void granted(List<Grant> grants);

    void revoked(List<Long> grantIds, RevokeReason reason, String detail);

    /** Attached (again) to a leader with this epoch. */
    default void attached(long epoch) {}

    /**
     * The nodes the application may be granted (alive, not blacklisted), node
     * id to rack: after each attach, and whenever they change. Streamed by
     * the leader, so a master learns of nodes lost and back without polling.
     */
    default void nodes(Map<String, String> usable) {}

    /** The session ended for good (application ended, or a request was refused). */
    default void ended(Status status) {}

    /**
     * A newer start of this application's master replaced this one (this
     * one's node was declared lost while it ran): it must exit without acting
     * on the application. By default the session just ends.
     */
    default void superseded(Status status) {
      ended(status);
    }
  }

  private record Unit(Resources shape, int priority) {}

  private record Bucket(String unit, LocalityLevel level, String target, boolean relax) {}

  private final FeitianClient client;
  private final String appId;
  private final Listener listener;
  // All below guarded by this.
  private final Map<Long, Grant> held = new LinkedHashMap<>();
  /** The usable nodes (id to rack) as the leader's stream last said. */
  private final Map<String, String> usableNodes = new java.util.TreeMap<>();
  private final Map<String, Unit> units = new HashMap<>();
  private final Map<Bucket, Integer> outstanding = new LinkedHashMap<>();
  private StreamObserver<AppMasterMessage> out;
  /** Counts streams: events of a stream that was replaced are ignored. */
  private long stream;
  private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2));
  /** The pending reconnect while the session waits for a leader; null while connected. */
  private ScheduledFuture<?> retry;
  private long epoch;
  private boolean closed;
  private String endpoint = "";

  public AppMasterSession(FeitianClient client, String appId, Listener listener) {
    this.client = client;
    this.appId = appId;
    this.listener = listener;
  }

  public synchronized void start() {
    client.onLeaderChange(this::leaderChanged);
    connect();
  }

  /**
   * The election changed: a session waiting out its backoff reconnects now, so a new leader hears
   * from its masters as soon as it is in the latch, not up to a backoff ceiling later.
   */
  private synchronized void leaderChanged() {
    if (closed || retry == null || !retry.cancel(false)) {
      return;
    }
    retry = null;
    backoff.reset();
    try {
      client.timer().execute(this::connect);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      closed = true; // the client was closed
    }
  }

  /**
   * Where this master serves its own API (host:port), told to fuxi-master
   * with every attach and kept in the application's record. Set before start.
   */
  public synchronized AppMasterSession endpoint(String hostPort) {
    this.endpoint = hostPort;
    return this;
  }

  /**
   * Grants this master holds from a predecessor (a restarted master that
   * recorded its grants): claimed with the first attach, so the leader keeps
   * them, and what runs in them, instead of revoking them as unclaimed. Those
   * the leader refuses come back through {@link Listener#revoked}. Call
   * before start.
   */
  public synchronized AppMasterSession holding(List<Grant> grants) {
    grants.forEach(g -> held.put(g.getGrantId(), g));
    return this;
  }

  private synchronized void connect() {
    retry = null;
    if (closed) {
      return;
    }
    try {
      String master = client.findLeader();
      out = client.resourceStub(master).schedule(new Inbound(master, ++stream));
    } catch (RuntimeException e) {
      log.info("cannot reach a leader yet: {}", e.getMessage());
      reconnectLater();
      return;
    }
    Attach.Builder attach = Attach.newBuilder().setAppId(appId).setEndpoint(endpoint)
        .addAllHeldGrants(held.values());
    MasterAttempt.fromEnvironment().ifPresent(attach::setMasterAttempt);
    Map<String, UnitRequest.Builder> byUnit = new LinkedHashMap<>();
    outstanding.forEach((b, count) -> {
      if (count > 0) {
        Unit u = units.get(b.unit());
        byUnit.computeIfAbsent(b.unit(), k -> UnitRequest.newBuilder().setUnit(k).setShape(u.shape())
                .setPriority(u.priority()))
            .addDemands(LocalityDemand.newBuilder().setLevel(b.level()).setTarget(b.target())
                .setCountDelta(count).setRelaxLocality(b.relax()));
      }
    });
    byUnit.values().forEach(u -> attach.addOutstanding(u));
    out.onNext(AppMasterMessage.newBuilder().setAttach(attach).build());
  }

  /** Tries again after a backoff (jittered, so a failover's thousand masters do not come back at once). */
  private synchronized void reconnectLater() {
    if (closed) {
      return;
    }
    try {
      retry = client.timer().schedule(this::connect, backoff.nextDelayMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      closed = true; // the client was closed
    }
  }

  /** Asks for (count > 0) or withdraws (count < 0) units of a shape at a place. */
  public synchronized void request(String unit, Resources shape, int priority, LocalityLevel level, String target,
      int countDelta, boolean relax) {
    units.putIfAbsent(unit, new Unit(shape, priority));
    Bucket b = new Bucket(unit, level, target, relax);
    outstanding.merge(b, countDelta, (a, d) -> Math.max(0, a + d));
    send(AppMasterMessage.newBuilder().setRequest(UnitRequest.newBuilder().setUnit(unit).setShape(shape)
        .setPriority(priority).addDemands(LocalityDemand.newBuilder().setLevel(level).setTarget(target)
            .setCountDelta(countDelta).setRelaxLocality(relax))).build());
  }

  public synchronized void returnGrants(List<Long> grantIds) {
    grantIds.forEach(held::remove);
    send(AppMasterMessage.newBuilder().setReturnGrants(ReturnGrants.newBuilder().addAllGrantIds(grantIds)).build());
  }

  /** Tells fuxi-master a machine is bad for this application (see ReportBadNode). */
  public synchronized void reportBadNode(String nodeId, String reason) {
    send(AppMasterMessage.newBuilder().setReportBadNode(ReportBadNode.newBuilder().setNodeId(nodeId)
        .setReason(reason)).build());
  }

  /** Ends the application. */
  public void unregister(boolean succeeded, String diagnostics) {
    unregister(succeeded ? Ending.SUCCEEDED : Ending.FAILED, diagnostics, ByteString.EMPTY);
  }

  /** How an application ends, as its master reports it. */
  public enum Ending { SUCCEEDED, FAILED, KILLED }

  /** Ends the application, leaving a final report in its record (AppInfo.outcome). */
  public synchronized void unregister(Ending ending, String diagnostics, ByteString outcome) {
    send(AppMasterMessage.newBuilder().setUnregister(Unregister.newBuilder()
        .setSucceeded(ending == Ending.SUCCEEDED).setKilled(ending == Ending.KILLED)
        .setDiagnostics(diagnostics).setOutcome(outcome)).build());
    closed = true;
  }

  private void send(AppMasterMessage m) {
    if (out != null) {
      try {
        out.onNext(m);
      } catch (RuntimeException e) {
        // the stream broke; the re-attach carries the state
      }
    }
  }

  public synchronized List<Grant> grants() {
    return new ArrayList<>(held.values());
  }

  public synchronized long epoch() {
    return epoch;
  }

  /** Units still waited for, over all places. */
  public synchronized int outstandingUnits() {
    return outstanding.values().stream().mapToInt(Integer::intValue).sum();
  }

  private final class Inbound implements StreamObserver<SchedulingEvent> {
    private final String from;
    private final long streamId;

    Inbound(String from, long streamId) {
      this.from = from;
      this.streamId = streamId;
    }

    @Override
    public void onNext(SchedulingEvent e) {
      List<Grant> fresh = new ArrayList<>();
      List<Long> gone = new ArrayList<>();
      Map<String, String> nodesNow = null;
      synchronized (AppMasterSession.this) {
        if (streamId != stream) {
          return; // a stream already replaced
        }
        epoch = e.getEpoch();
        switch (e.getKindCase()) {
          case ATTACHED -> {
            backoff.reset();
            for (Grant g : e.getAttached().getAcceptedList()) {
              if (held.put(g.getGrantId(), g) == null) {
                fresh.add(g);
              }
            }
            for (long id : e.getAttached().getRejectedGrantIdsList()) {
              if (held.remove(id) != null) {
                gone.add(id);
              }
            }
          }
          case GRANTED -> {
            for (Grant g : e.getGranted().getGrantsList()) {
              if (held.put(g.getGrantId(), g) != null) {
                continue; // already held (claimed across a failover): not new, not taken from demand
              }
              fresh.add(g);
              // The grant names the demand it was taken from.
              if (!decrement(new Bucket(g.getUnit(), g.getRequestedLevel(), g.getRequestedTarget(), false))) {
                decrement(new Bucket(g.getUnit(), g.getRequestedLevel(), g.getRequestedTarget(), true));
              }
            }
          }
          case REVOKED -> {
            for (long id : e.getRevoked().getGrantIdsList()) {
              if (held.remove(id) != null) {
                gone.add(id);
              }
            }
          }
          case NODES -> {
            if (e.getNodes().getSnapshot()) {
              usableNodes.clear();
            }
            e.getNodes().getAddedList().forEach(n -> usableNodes.put(n.getNodeId(), n.getRack()));
            e.getNodes().getRemovedList().forEach(usableNodes::remove);
            nodesNow = Map.copyOf(usableNodes);
          }
          default -> { }
        }
      }
      if (e.getKindCase() == SchedulingEvent.KindCase.ATTACHED) {
        listener.attached(e.getEpoch());
        if (!gone.isEmpty()) {
          listener.revoked(gone, RevokeReason.REVOKE_REASON_NODE_LOST, "not accepted by the new leader");
        }
      }
      if (!fresh.isEmpty()) {
        listener.granted(fresh);
      }
      if (e.getKindCase() == SchedulingEvent.KindCase.REVOKED && !gone.isEmpty()) {
        listener.revoked(gone, e.getRevoked().getReason(), e.getRevoked().getDetail());
      }
      if (nodesNow != null) {
        listener.nodes(nodesNow);
      }
    }

    private boolean decrement(Bucket b) {
      Integer n = outstanding.get(b);
      if (n == null || n == 0) {
        return false;
      }
      outstanding.put(b, n - 1);
      return true;
    }

    @Override
    public void onError(Throwable t) {
      Status s = Status.fromThrowable(t);
      synchronized (AppMasterSession.this) {
        if (streamId != stream) {
          return;
        }
        out = null;
        if (closed) {
          return;
        }
        if (FATAL.contains(s.getCode())) {
          closed = true;
        }
      }
      if (MasterAttempt.isSuperseded(s)) {
        log.error("scheduling session of {} refused: {}", appId, StatusText.brief(s));
        listener.superseded(s);
      } else if (FATAL.contains(s.getCode())) {
        log.warn("scheduling session of {} ended: {}", appId, StatusText.brief(s));
        listener.ended(s);
      } else {
        log.info("scheduling stream of {} broke ({} {}); re-attaching", appId, s.getCode(), s.getDescription());
        client.leaderFailed(from, s);
        reconnectLater();
      }
    }

    @Override
    public void onCompleted() {
      synchronized (AppMasterSession.this) {
        if (streamId != stream) {
          return;
        }
        out = null;
      }
      listener.ended(Status.OK);
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (out != null) {
      try {
        out.onCompleted();
      } catch (RuntimeException ignored) {
        // already closed
      }
    }
  }
}
