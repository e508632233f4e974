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
 * master keeps {@code outstanding} units asked for; it keeps the first
 * {@code hold} grants it gets (long-running work that fills the cluster) and
 * gives every later grant back at once and asks for the same number again
 * (zero-length tasks: the most scheduling work per grant).
 *
 * <p>Locality: masters 0-4 of every ten ask anywhere in the cluster, 5-7 for
 * a random rack, 8-9 for a random machine; rack and machine requests relax.
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
  final LongAdder granted = new LongAdder();
  final LongAdder revoked = new LongAdder();
  final LongAdder attaches = new LongAdder();
  final LongAdder ended = new LongAdder();
  volatile boolean measuring;
  volatile boolean churn = true;
  /** Grants issued in a term newer than this epoch are "new leader" grants; the first one is timed. */
  volatile long baselineEpoch = Long.MAX_VALUE;
  final AtomicLong firstNewGrantNanos = new AtomicLong();

  SimApps(List<FeitianClient> clients, int outstanding, int hold, int nodes, int racks) {
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
      ask(outstanding);
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
      session.request("task", shape, 100, level, target, n, level != LocalityLevel.LOCALITY_LEVEL_CLUSTER);
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
      synchronized (this) {
        if (lat.length < n) {
          lat = new long[n];
        }
        for (Grant g : grants) {
          Long t = stamps.poll();
          if (t != null) {
            lat[samples++] = now - t;
          }
          if (kept < hold) {
            kept++;
          } else {
            giveBack.add(g.getGrantId());
          }
        }
        if (measuring && samples > 0) {
          latency.recordAll(lat, samples);
        }
      }
      if (!giveBack.isEmpty()) {
        session.returnGrants(giveBack);
        if (churn) {
          ask(giveBack.size());
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
    for (App a : apps) {
      try {
        a.session.close();
      } catch (RuntimeException ignored) {
        // best effort
      }
    }
  }
}
