package io.feitian.service.client;

import io.feitian.client.AppStates;
import io.feitian.client.FeitianClient;
import io.feitian.common.grpc.CallFailures;
import io.feitian.common.retry.Backoff;
import io.feitian.proto.fuxi.v1.AppInfo;
import io.feitian.proto.fuxi.v1.AppSpec;
import io.feitian.proto.fuxi.v1.AppState;
import io.feitian.proto.fuxi.v1.KillAppRequest;
import io.feitian.proto.fuxi.v1.ListAppsRequest;
import io.feitian.proto.fuxi.v1.SubmitAppRequest;
import io.feitian.proto.service.v1.GetServiceRequest;
import io.feitian.proto.service.v1.JavaWorker;
import io.feitian.proto.service.v1.PartitionCommand;
import io.feitian.proto.service.v1.RoleSpec;
import io.feitian.proto.service.v1.ScaleRequest;
import io.feitian.proto.service.v1.ServiceAdminGrpc;
import io.feitian.proto.service.v1.ServiceSpec;
import io.feitian.proto.service.v1.ServiceStatus;
import io.feitian.service.spec.ServiceKind;
import io.feitian.service.spec.ServiceSpecValidator;
import io.feitian.service.spec.ServiceSpecs;
import io.feitian.service.state.ServicePaths;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Running services by name, for the CLI and for tests: finds a service's
 * application, and calls its service-master's ServiceAdmin, riding out a
 * master restart (no endpoint yet, or UNAVAILABLE) for a while, re-reading
 * the application record each time. Other errors of the master
 * (INVALID_ARGUMENT, FAILED_PRECONDITION, ...) are thrown as they come.
 */
public final class ServiceAdmins {
  /** How long a call waits for a (re)starting service-master by default. */
  public static final Duration DEFAULT_PATIENCE = Duration.ofSeconds(30);
  /**
   * A service runs until deleted, so its master is restarted far more often
   * than a job's before fuxi-master gives up on it (AppSpec.max_master_restarts).
   */
  public static final int MASTER_RESTARTS = 1_000;

  private final FeitianClient client;
  private final Duration patience;

  public ServiceAdmins(FeitianClient client) {
    this(client, DEFAULT_PATIENCE);
  }

  /** @param patience how long a call to a service-master waits for one to answer */
  public ServiceAdmins(FeitianClient client, Duration patience) {
    if (patience.isNegative()) {
      throw new IllegalArgumentException("patience must be >= 0, got " + patience);
    }
    this.client = client;
    this.patience = patience;
  }

  /** The services that have not ended, oldest first. */
  public List<AppInfo> running() {
    List<AppInfo> services = new ArrayList<>();
    for (AppInfo a : client.cluster(c -> c.listApps(ListAppsRequest.newBuilder().setAll(false).build())).getAppsList()) {
      if (a.getSpec().getKind().equals(ServiceKind.NAME) && AppStates.active(a)) {
        services.add(a);
      }
    }
    services.sort(Comparator.comparingLong(AppInfo::getSubmittedAtMs).thenComparing(AppInfo::getAppId));
    return services;
  }

  /** The running service of that name, if any (should two share the name, the older one). */
  public Optional<AppInfo> find(String name) {
    return running().stream().filter(a -> a.getSpec().getName().equals(name)).findFirst();
  }

  /** The running service of that name; an IllegalArgumentException if there is none. */
  public AppInfo app(String name) {
    return find(name).orElseThrow(() -> new IllegalArgumentException("no running service named " + name));
  }

  /**
   * Calls the service's ServiceAdmin (with the client's credentials and call
   * deadline). While the service has no endpoint (its master is starting or
   * restarting) or the master cannot be reached, waits with backoff and tries
   * again, for up to the patience; then throws UNAVAILABLE. An
   * IllegalArgumentException if the service is not (or no longer) running.
   */
  public <T> T call(String name, Function<ServiceAdminGrpc.ServiceAdminBlockingStub, T> call) {
    long deadline = System.nanoTime() + patience.toNanos();
    Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2));
    String lastProblem;
    while (true) {
      AppInfo app = app(name);
      if (app.getEndpoint().isEmpty()) {
        lastProblem = "its master is " + (app.getState() == AppState.APP_STATE_PENDING ? "starting" : "restarting")
            + " (no endpoint)";
      } else {
        ManagedChannel channel = client.channel(app.getEndpoint());
        try {
          return call.apply(client.callSettings().unary(ServiceAdminGrpc.newBlockingStub(channel)));
        } catch (StatusRuntimeException e) {
          if (!CallFailures.lostTheServer(e.getStatus())) {
            throw e;
          }
          lastProblem = "its master at " + app.getEndpoint() + " did not answer: " + e.getStatus().getCode()
              + (e.getStatus().getDescription() == null ? "" : " " + e.getStatus().getDescription());
        }
      }
      long delayMillis = backoff.nextDelayMillis();
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw Status.UNAVAILABLE.withDescription("service " + name + " (" + app.getAppId() + ") did not answer within "
            + patience.toMillis() + " ms: " + lastProblem).asRuntimeException();
      }
      try {
        Thread.sleep(Math.min(delayMillis, Math.max(1, left / 1_000_000)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw Status.CANCELLED.withDescription("interrupted").asRuntimeException();
      }
    }
  }

  public ServiceStatus status(String name) {
    return call(name, s -> s.getService(GetServiceRequest.getDefaultInstance()));
  }

  public ServiceStatus scale(String name, String role, int workers) {
    return call(name, s -> s.scale(ScaleRequest.newBuilder().setRole(role).setWorkers(workers).build()));
  }

  /** Loads an unassigned partition on a worker (empty: the least loaded). */
  public ServiceStatus load(String name, String partition, String worker) {
    return call(name, s -> s.loadPartition(PartitionCommand.newBuilder().setPartition(partition).setWorker(worker).build()));
  }

  public ServiceStatus unload(String name, String partition) {
    return call(name, s -> s.unloadPartition(PartitionCommand.newBuilder().setPartition(partition).build()));
  }

  /** Splits a partition; the upper half starts at {@code at}. */
  public ServiceStatus split(String name, String partition, String at) {
    return call(name, s -> s.splitPartition(PartitionCommand.newBuilder().setPartition(partition).setAt(at).build()));
  }

  public ServiceStatus migrate(String name, String partition, String toWorker) {
    return call(name, s -> s.migratePartition(PartitionCommand.newBuilder().setPartition(partition).setWorker(toWorker)
        .build()));
  }

  /**
   * Submits a validated description (jars absolute), unless a running
   * service already has its name (an IllegalArgumentException). Returns the
   * application id.
   */
  public String create(ServiceSpec spec) {
    new ServiceSpecValidator("").validate(spec);
    Optional<AppInfo> taken = find(spec.getName());
    if (taken.isPresent()) {
      throw new IllegalArgumentException("a service named " + spec.getName() + " is already running ("
          + taken.get().getAppId() + "); delete it first or choose another name");
    }
    AppSpec app = AppSpec.newBuilder().setName(spec.getName()).setKind(ServiceKind.NAME).setPriority(spec.getPriority())
        .setQuotaGroup(spec.getQuotaGroup()).setDescription(spec.toByteString())
        .setMaxMasterRestarts(MASTER_RESTARTS).build();
    return client.cluster(c -> c.submitApp(SubmitAppRequest.newBuilder().setSpec(app).build())).getAppId();
  }

  /**
   * Kills the service's application (its master and workers) and removes
   * its state from ZooKeeper (which its master, killed with it, may not get
   * to do); returns the application as it ended.
   */
  public AppInfo delete(String name) {
    AppInfo app = app(name);
    AppInfo ended = client.cluster(c -> c.killApp(KillAppRequest.newBuilder().setAppId(app.getAppId()).build()));
    client.zookeeper().ifPresent(zk -> {
      try {
        zk.delete().deletingChildrenIfNeeded().forPath(ServicePaths.service(app.getAppId()));
      } catch (org.apache.zookeeper.KeeperException.NoNodeException gone) {
        // its master removed it
      } catch (Exception e) {
        throw new IllegalStateException("service " + name + " was killed, but its state in ZooKeeper could not be"
            + " removed: " + e, e);
      }
    });
    return ended;
  }

  /**
   * Reads a description file as `feitian service create` does: parses it,
   * makes relative java.jars absolute against the file's directory, checks
   * that they exist on this machine, and validates it. Every problem is an
   * IllegalArgumentException that starts with the file and names the field.
   */
  public static ServiceSpec read(Path file) {
    String json;
    try {
      json = Files.readString(file);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the service description " + file + ": "
          + (e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.toString()), e);
    }
    ServiceSpec spec;
    try {
      spec = ServiceSpecs.fromJson(json);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
    spec = resolveJars(spec, file.toAbsolutePath().getParent());
    checkJars(file + ": ", spec);
    new ServiceSpecValidator(file + ": ").validate(spec);
    return spec;
  }

  /** The description with every relative java.jars path made absolute against {@code baseDir} (and normalized). */
  public static ServiceSpec resolveJars(ServiceSpec spec, Path baseDir) {
    ServiceSpec.Builder b = spec.toBuilder();
    for (RoleSpec.Builder r : b.getRolesBuilderList()) {
      if (r.hasJava()) {
        JavaWorker.Builder java = r.getJavaBuilder();
        List<String> jars = java.getJarsList().stream()
            .map(j -> j.isBlank() ? j : baseDir.resolve(j).toAbsolutePath().normalize().toString()).toList();
        java.clearJars().addAllJars(jars);
      }
    }
    return b.build();
  }

  /**
   * Checks that every java.jars path is absolute and names a file on this
   * machine; an IllegalArgumentException naming the field otherwise.
   */
  public static void checkJars(String prefix, ServiceSpec spec) {
    for (int i = 0; i < spec.getRolesCount(); i++) {
      RoleSpec r = spec.getRoles(i);
      for (int j = 0; j < r.getJava().getJarsCount(); j++) {
        String jar = r.getJava().getJars(j);
        String field = prefix + "roles[" + i + "].java.jars[" + j + "]";
        if (jar.isBlank()) {
          throw new IllegalArgumentException(field + " is empty");
        }
        Path p = Path.of(jar);
        if (!p.isAbsolute()) {
          throw new IllegalArgumentException(field + " '" + jar + "' is not absolute");
        }
        if (!Files.exists(p)) {
          throw new IllegalArgumentException(field + " " + jar + " does not exist");
        }
        if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
          throw new IllegalArgumentException(field + " " + jar + " is not a readable file");
        }
      }
    }
  }
}
