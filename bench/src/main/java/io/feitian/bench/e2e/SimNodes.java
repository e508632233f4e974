package io.feitian.bench.e2e;

import io.feitian.common.grpc.Channels;
import io.feitian.common.grpc.LeaderHint;
import io.feitian.common.retry.Backoff;
import io.feitian.common.security.SecuritySettings;
import io.feitian.proto.common.v1.Resources;
import io.feitian.proto.fuxi.v1.Grant;
import io.feitian.proto.fuxi.v1.NodeDirective;
import io.feitian.proto.fuxi.v1.NodeHeartbeat;
import io.feitian.proto.fuxi.v1.NodeServiceGrpc;
import io.feitian.proto.fuxi.v1.RegisterNodeRequest;
import io.feitian.proto.fuxi.v1.RegisterNodeResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Simulated task-workers: each speaks NodeService exactly as a real one does
 * (Register with the grants it holds, then a Heartbeat stream with one
 * heartbeat per interval, directives applied if their epoch is the
 * registration's), but runs no workers. When the stream breaks the node
 * looks for the leader again (a standby's hint first, then ZooKeeper), backing
 * off from {@code backoff} up to 2 s with jitter while that fails, and
 * re-registers with everything it holds, which is how a new leader learns the
 * cluster's grants after a failover.
 */
final class SimNodes implements AutoCloseable {
  private final LeaderCache leaders;
  private final int channelsPerMaster;
  private final long backoffMillis;
  private final ScheduledExecutorService timer;
  private final Map<String, ManagedChannel[]> channels = new ConcurrentHashMap<>();
  final List<Node> nodes = new ArrayList<>();
  final LongAdder registrations = new LongAdder();
  final LongAdder directives = new LongAdder();
  final LongAdder grantsAnnounced = new LongAdder();
  final LongAdder grantsRevoked = new LongAdder();
  final LongAdder registerFailures = new LongAdder();
  private volatile boolean closed;

  SimNodes(LeaderCache leaders, int count, int racks, Resources total, int channelsPerMaster, long backoffMillis) {
    this.leaders = leaders;
    this.channelsPerMaster = channelsPerMaster;
    this.backoffMillis = backoffMillis;
    this.timer = Executors.newScheduledThreadPool(2, r -> {
      Thread t = new Thread(r, "sim-nodes");
      t.setDaemon(true);
      return t;
    });
    for (int i = 0; i < count; i++) {
      nodes.add(new Node(i, String.format("node-%05d", i), String.format("rack-%03d", i % racks), total));
    }
  }

  void start() {
    for (Node n : nodes) {
      timer.execute(n::connect);
    }
  }

  /** Nodes whose current registration is with this epoch or a newer one. */
  int registeredAtLeast(long epoch) {
    int c = 0;
    for (Node n : nodes) {
      if (n.epoch >= epoch && n.streaming) {
        c++;
      }
    }
    return c;
  }

  long heldGrants() {
    long c = 0;
    for (Node n : nodes) {
      c += n.held.size();
    }
    return c;
  }

  /** Grants held by the nodes, counted by the epoch that issued them. */
  java.util.SortedMap<Long, Integer> heldByEpoch() {
    java.util.SortedMap<Long, Integer> m = new java.util.TreeMap<>();
    for (Node n : nodes) {
      for (long id : n.held.keySet()) {
        m.merge(id >>> 40, 1, Integer::sum);
      }
    }
    return m;
  }

  private ManagedChannel channel(String address, int index) {
    ManagedChannel[] chs = channels.computeIfAbsent(address, a -> {
      ManagedChannel[] c = new ManagedChannel[channelsPerMaster];
      for (int i = 0; i < c.length; i++) {
        c[i] = Channels.open(a, SecuritySettings.INSECURE);
      }
      return c;
    });
    return chs[index % chs.length];
  }

  final class Node {
    final int index;
    final String id;
    final String rack;
    final Resources total;
    final String address;
    final Map<Long, Grant> held = new ConcurrentHashMap<>();
    volatile long epoch;
    volatile boolean streaming;
    // Guarded by this.
    private long generation;
    private StreamObserver<NodeHeartbeat> out;
    private ScheduledFuture<?> beat;
    private String hint;
    private final Backoff backoff = new Backoff(Duration.ofMillis(backoffMillis), Duration.ofSeconds(2));

    Node(int index, String id, String rack, Resources total) {
      this.index = index;
      this.id = id;
      this.rack = rack;
      this.total = total;
      // Never dialled: the master launches nothing here (recovery-window keeps child masters off).
      this.address = "127.0.0.1:" + (20000 + index % 40000);
    }

    void connect() {
      if (closed) {
        return;
      }
      String target;
      synchronized (this) {
        target = hint;
        hint = null;
      }
      if (target == null) {
        target = leaders.get().orElse(null);
      }
      if (target == null) {
        retry(nextDelay());
        return;
      }
      final String to = target;
      RegisterNodeRequest req = RegisterNodeRequest.newBuilder().setNodeId(id).setAddress(address).setRack(rack)
          .setTotal(total).addAllGrants(held.values()).build();
      NodeServiceGrpc.newStub(channel(to, index)).withDeadlineAfter(20, TimeUnit.SECONDS)
          .register(req, new StreamObserver<>() {
            @Override
            public void onNext(RegisterNodeResponse resp) {
              registered(to, resp);
            }

            @Override
            public void onError(Throwable t) {
              registerFailures.increment();
              Optional<String> h = LeaderHint.parse(Status.fromThrowable(t)).filter(a -> !a.equals(to));
              synchronized (Node.this) {
                hint = h.orElse(null);
              }
              retry(h.isPresent() ? 0 : nextDelay());
            }

            @Override
            public void onCompleted() {}
          });
    }

    private synchronized long nextDelay() {
      return backoff.nextDelayMillis();
    }

    private void retry(long delay) {
      if (!closed) {
        timer.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
      }
    }

    private void registered(String target, RegisterNodeResponse resp) {
      registrations.increment();
      resp.getRevokedGrantIdsList().forEach(held::remove);
      synchronized (this) {
        backoff.reset();
        long gen = ++generation;
        epoch = resp.getEpoch();
        out = NodeServiceGrpc.newStub(channel(target, index)).heartbeat(new Inbound(gen, resp.getEpoch()));
        long interval = Math.max(10, resp.getHeartbeatIntervalMs());
        send();
        streaming = true;
        // Spread the nodes' heartbeats over the interval.
        beat = timer.scheduleAtFixedRate(() -> heartbeat(gen),
            ThreadLocalRandom.current().nextLong(interval), interval, TimeUnit.MILLISECONDS);
      }
    }

    private synchronized void heartbeat(long gen) {
      if (gen == generation && out != null) {
        send();
      }
    }

    private void send() {
      try {
        out.onNext(NodeHeartbeat.newBuilder().setNodeId(id).setEpoch(epoch).build());
      } catch (RuntimeException e) {
        // the stream is ending; onError follows
      }
    }

    private void streamEnded(long gen, Throwable t) {
      Optional<String> h = t == null ? Optional.empty() : LeaderHint.parse(Status.fromThrowable(t));
      synchronized (this) {
        if (gen != generation) {
          return;
        }
        generation++;
        streaming = false;
        out = null;
        if (beat != null) {
          beat.cancel(false);
          beat = null;
        }
        hint = h.orElse(null);
      }
      retry(0); // as a task-worker does: look for the leader at once, back off only when that fails
    }

    synchronized void close() {
      generation++;
      if (beat != null) {
        beat.cancel(false);
      }
      if (out != null) {
        try {
          out.onCompleted();
        } catch (RuntimeException ignored) {
          // gone
        }
      }
    }

    private final class Inbound implements StreamObserver<NodeDirective> {
      private final long gen;
      private final long streamEpoch;

      Inbound(long gen, long streamEpoch) {
        this.gen = gen;
        this.streamEpoch = streamEpoch;
      }

      @Override
      public void onNext(NodeDirective d) {
        directives.increment();
        if (d.getEpoch() != streamEpoch) {
          return; // a real task-worker ignores directives of another epoch too
        }
        for (Grant g : d.getGrantedList()) {
          held.put(g.getGrantId(), g);
        }
        for (long id : d.getRevokedGrantIdsList()) {
          held.remove(id);
        }
        grantsAnnounced.add(d.getGrantedCount());
        grantsRevoked.add(d.getRevokedGrantIdsCount());
      }

      @Override
      public void onError(Throwable t) {
        streamEnded(gen, t);
      }

      @Override
      public void onCompleted() {
        streamEnded(gen, null);
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    for (Node n : nodes) {
      n.close();
    }
    timer.shutdownNow();
    for (ManagedChannel[] chs : channels.values()) {
      for (ManagedChannel c : chs) {
        c.shutdownNow();
      }
    }
  }
}
