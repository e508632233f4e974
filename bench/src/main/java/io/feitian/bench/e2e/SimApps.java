package io.feitian.bench.e2e;

import io.feitian.client.AppMasterSession;
import io.feitian.client.FeitianClient;
import io.feitian.proto.common.v1.Resources;
import io.feitian.proto.fuxi.v1.AppSpec;
import io.feitian.proto.fuxi.v1.Grant;
import io.feitian.proto.fuxi.v1.LaunchSpec;
import io.feitian.proto.fuxi.v1.LocalityLevel;
import io.feitian.proto.fuxi.v1.ProcessProgram;
import io.feitian.proto.fuxi.v1.RevokeReason;
import io.feitian.proto.fuxi.v1.SubmitAppRequest;
import io.grpc.Status;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Simulated application masters in this process, one {@link AppMasterSession}
 * each (the real client library, with its re-attach after failover). Every
 * master first asks for {@code hold + outstanding} units; it keeps the first
 * {@code hold} grants it gets (long-running work that fills the cluster) and
 * gives every later grant back at once and asks for the same number again
 * (zero-length tasks, the most scheduling work per grant; or after
 * {@code taskMillis}, a task's run time), so {@code outstanding} units stay
 * asked for or in flight.
 *
 * <p>Locality: masters 0-4 of every ten ask anywhere in the cluster, 5-7 for
 * a random rack, 8-9 for a random machine; rack and machine requests relax
 * unless {@code relax} is false.
 *
 * <p>Latency: each unit asked for is stamped with the time its request was
 * sent; each grant received takes the oldest stamp of its master (FIFO), so
 * the latency is exact while a master's requests are served in order and an
 * approximation otherwise.
 */
final class SimApps implements AutoCloseable {
  private static final Resources[] SHAPES = {
      Resources.newBuilder().setCpuMillis(1000).setMemoryMib(2048).build(),
      Resources.newBuilder().setCpuMillis(2000).setMemoryMib(4096).build(),
      Resources.newBuilder().setCpuMillis(500).setMemoryMib(1024).build(),
      Resources.newBuilder().setCpuMillis(1000).setMemoryMib(4096).build(),
  };

  private final List<FeitianClient> clients;
  private final int outstanding;
  private final int hold;
  private final int nodes;
  private final int racks;
  final List<App> apps = new ArrayList<>();
  final Histogram latency = new Histogram();
  /** The same latencies by the master's shape ({@link #SHAPES} index) and locality level. */
  final Histogram[] byShape = {new Histogram(), new Histogram(), new Histogram(), new Histogram()};
  final java.util.Map<LocalityLevel, Histogram> byLevel = new java.util.EnumMap<>(java.util.Map.of(
      LocalityLevel.LOCALITY_LEVEL_CLUSTER, new Histogram(), LocalityLevel.LOCALITY_LEVEL_RACK, new Histogram(),
      LocalityLevel.LOCALITY_LEVEL_MACHINE, new Histogram()));
  final LongAdder granted = new LongAdder();
  final LongAdder revoked = new LongAdder();
  final LongAdder attaches = new LongAdder();
  final LongAdder ended = new LongAdder();
  volatile boolean measuring;
  volatile boolean churn = true;
  /** Grants issued in a term newer than this epoch are "new leader" grants; the first one is timed. */
  volatile long baselineEpoch = Long.MAX_VALUE;
  final AtomicLong firstNewGrantNanos = new AtomicLong();

  private final boolean relax;
  private final long taskMillis;
  private final java.util.concurrent.ScheduledExecutorService tasks;

  SimApps(List<FeitianClient> clients, int outstanding, int hold, int nodes, int racks, boolean relax,
      long taskMillis) {
    this.relax = relax;
    this.taskMillis = taskMillis;
    this.tasks = taskMillis <= 0 ? null : java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "sim-tasks");
      t.setDaemon(true);
      return t;
    });
    this.clients = clients;
    this.outstanding = outstanding;
    this.hold = hold;
    this.nodes = nodes;
    this.racks = racks;
  }

  /** Submits the applications (through the leader; each is a ZooKeeper write there). */
  void submit(int count) {
    for (int i = 0; i < count; i++) {
      AppSpec spec = AppSpec.newBuilder().setName("bench-" + i).setPriority(100)
          .setMaster(LaunchSpec.newBuilder().setName("app-master")
              .setProcess(ProcessProgram.newBuilder().addArgv("true")))
          .setMasterResources(Resources.newBuilder().setCpuMillis(500).setMemoryMib(512))
          .build();
      FeitianClient c = clients.get(i % clients.size());
      String appId = c.cluster(s -> s.submitApp(SubmitAppRequest.newBuilder().setSpec(spec).build())).getAppId();
      apps.add(new App(i, appId, c));
    }
  }

  /**
   * Submits applications no master attaches for: hard state the leader loads at election, without
   * the re-attach traffic of their masters.
   */
  void submitIdle(int count) {
    for (int i = 0; i < count; i++) {
      AppSpec spec = AppSpec.newBuilder().setName("idle-" + i).setPriority(100)
          .setMaster(LaunchSpec.newBuilder().setName("app-master")
              .setProcess(ProcessProgram.newBuilder().addArgv("true")))
          .setMasterResources(Resources.newBuilder().setCpuMillis(500).setMemoryMib(512))
          .build();
      clients.get(i % clients.size()).cluster(s -> s.submitApp(SubmitAppRequest.newBuilder().setSpec(spec).build()));
    }
  }

  void start() {
    for (App a : apps) {
      a.start();
    }
  }

  int attachedAtLeast(long epoch) {
    int c = 0;
    for (App a : apps) {
      if (a.attachedEpoch >= epoch) {
        c++;
      }
    }
    return c;
  }

  long heldGrants() {
    long c = 0;
    for (App a : apps) {
      c += a.kept;
    }
    return c;
  }

  /** Grants the sessions believe they hold. */
  long sessionGrants() {
    long c = 0;
    for (App a : apps) {
      c += a.session.grants().size();
    }
    return c;
  }

  java.util.SortedMap<Long, Integer> sessionGrantsByEpoch() {
    java.util.SortedMap<Long, Integer> m = new java.util.TreeMap<>();
    for (App a : apps) {
      for (Grant g : a.session.grants()) {
        m.merge(g.getGrantId() >>> 40, 1, Integer::sum);
      }
    }
    return m;
  }

  final class App implements AppMasterSession.Listener {
    final int index;
    final String appId;
    final AppMasterSession session;
    final Resources shape;
    final LocalityLevel level;
    volatile long attachedEpoch;
    // Guarded by this.
    private final ArrayDeque<Long> stamps = new ArrayDeque<>();
    private long[] lat = new long[64];
    int kept;

    App(int index, String appId, FeitianClient client) {
      this.index = index;
      this.appId = appId;
      this.session = new AppMasterSession(client, appId, this);
      this.shape = SHAPES[index % SHAPES.length];
      int k = index % 10;
      this.level = k < 5 ? LocalityLevel.LOCALITY_LEVEL_CLUSTER
          : k < 8 ? LocalityLevel.LOCALITY_LEVEL_RACK : LocalityLevel.LOCALITY_LEVEL_MACHINE;
    }

    void start() {
      session.start();
      ask(hold + outstanding);
    }

    private void ask(int n) {
      if (n <= 0) {
        return;
      }
      String target = switch (level) {
        case LOCALITY_LEVEL_RACK -> String.format("rack-%03d", ThreadLocalRandom.current().nextInt(racks));
        case LOCALITY_LEVEL_MACHINE -> String.format("node-%05d", ThreadLocalRandom.current().nextInt(nodes));
        default -> "";
      };
      synchronized (this) {
        long now = System.nanoTime();
        for (int i = 0; i < n; i++) {
          stamps.add(now);
        }
      }
      session.request("task", shape, 100, level, target, n, relax && level != LocalityLevel.LOCALITY_LEVEL_CLUSTER);
    }

    @Override
    public void granted(List<Grant> grants) {
      long now = System.nanoTime();
      int n = grants.size();
      granted.add(n);
      long base = baselineEpoch;
      for (Grant g : grants) {
        if ((g.getGrantId() >>> 40) > base) {
          firstNewGrantNanos.compareAndSet(0, now);
          break;
        }
      }
      List<Long> giveBack = new ArrayList<>(n);
      int samples = 0;
      int reask = 0;
      long epoch = session.epoch();
      synchronized (this) {
        if (lat.length < n) {
          lat = new long[n];
        }
        for (Grant g : grants) {
          // A grant of an earlier term arrives only in an Attached answer (the new leader restored
          // it from a node's report): it did not come from demand, so it takes no stamp and is
          // not asked for again.
          boolean fromDemand = (g.getGrantId() >>> 40) >= epoch;
          if (fromDemand) {
            Long t = stamps.poll();
            if (t != null) {
              lat[samples++] = now - t;
            }
          }
          if (kept < hold) {
            kept++;
          } else {
            giveBack.add(g.getGrantId());
            if (fromDemand) {
              reask++;
            }
          }
        }
        if (measuring && samples > 0) {
          latency.recordAll(lat, samples);
          byShape[index % SHAPES.length].recordAll(lat, samples);
          byLevel.get(level).recordAll(lat, samples);
        }
      }
      if (!giveBack.isEmpty()) {
        int again = reask;
        Runnable finish = () -> {
          session.returnGrants(giveBack);
          if (churn) {
            ask(again);
          }
        };
        if (tasks == null) {
          finish.run();
        } else {
          tasks.schedule(finish, taskMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
      }
    }

    @Override
    public void revoked(List<Long> grantIds, RevokeReason reason, String detail) {
      revoked.add(grantIds.size());
    }

    @Override
    public void attached(long epoch) {
      attachedEpoch = epoch;
      attaches.increment();
    }

    @Override
    public void ended(Status status) {
      ended.increment();
    }
  }

  @Override
  public void close() {
    if (tasks != null) {
      tasks.shutdownNow();
    }
    for (App a : apps) {
      try {
        a.session.close();
      } catch (RuntimeException ignored) {
        // best effort
      }
    }
  }
}
