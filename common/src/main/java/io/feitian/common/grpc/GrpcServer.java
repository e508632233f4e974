package io.feitian.common.grpc;

import io.feitian.common.security.AuthInterceptor;
import io.feitian.common.security.MethodPolicy;
import io.feitian.common.security.Role;
import io.feitian.common.security.SecuritySettings;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A daemon's gRPC server with what every Feitian server carries: the standard
 * health service (overall, and per service), server reflection (v1 and
 * v1alpha), authentication when configured, the daemon's own interceptors
 * (such as a leader gate), and the {@link RequestGuard} (malformed requests
 * answer INVALID_ARGUMENT, status descriptions stay short).
 */
public final class GrpcServer implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(GrpcServer.class);
  /**
   * The largest request message a server takes (larger ones are refused with
   * RESOURCE_EXHAUSTED before they are read). Well above the largest valid
   * request (a SubmitApp is at most a ZooKeeper record, 1 MiB; an Attach or a
   * node registration carries a few hundred bytes per grant or worker), far
   * below what would strain a daemon's heap. See docs/ARCHITECTURE.md, "Limits".
   */
  public static final int MAX_REQUEST_BYTES = 4 * 1024 * 1024;

  private enum State { LATENT, STARTED, CLOSED }

  private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
  private final Server server;
  private final HealthStatusManager health;
  private final List<String> serviceNames;
  private final boolean initiallyServing;
  private final Duration shutdownGrace;

  private GrpcServer(Server server, HealthStatusManager health, List<String> serviceNames, boolean initiallyServing,
      Duration shutdownGrace) {
    this.server = server;
    this.health = health;
    this.serviceNames = serviceNames;
    this.initiallyServing = initiallyServing;
    this.shutdownGrace = shutdownGrace;
  }

  /**
   * A client connection silent this long is pinged, and closed when the ping is not answered
   * within {@link #KEEPALIVE_TIMEOUT}: a client cut off from the network (a dead host, a pulled
   * cable: no FIN ever arrives) is noticed after both, and its calls are cancelled, so that a
   * stream it held ends (dayu-server counts a node present while its agent's Watch is open).
   * Without it such a stream stays open until the server writes to it and TCP gives up, which
   * takes about 15 minutes, or for ever on an idle stream. The clients' side is {@link Channels}.
   */
  public static final Duration KEEPALIVE_TIME = Duration.ofSeconds(10);
  public static final Duration KEEPALIVE_TIMEOUT = Duration.ofSeconds(5);

  /** A Netty server on host:port (port 0 picks a free port) with the process's TLS settings. */
  public static Builder netty(String host, int port, SecuritySettings security) {
    return netty(host, port, security, KEEPALIVE_TIME, KEEPALIVE_TIMEOUT);
  }

  /** {@link #netty(String, int, SecuritySettings)} pinging silent clients after {@code keepAliveTime}. */
  static Builder netty(String host, int port, SecuritySettings security, Duration keepAliveTime,
      Duration keepAliveTimeout) {
    NettyServerBuilder nb = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
        .keepAliveTime(keepAliveTime.toMillis(), TimeUnit.MILLISECONDS)
        .keepAliveTimeout(keepAliveTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .permitKeepAliveTime(5, TimeUnit.SECONDS)
        .permitKeepAliveWithoutCalls(true);
    if (security.tls().enabled()) {
      try {
        nb.sslContext(security.tls().serverContext());
      } catch (SSLException e) {
        throw new IllegalArgumentException("cannot load TLS material: " + e.getMessage(), e);
      }
    }
    return new Builder(nb, security);
  }

  /** Any transport, e.g. in-process for tests. */
  public static Builder on(ServerBuilder<?> builder, SecuritySettings security) {
    return new Builder(builder, security);
  }

  public GrpcServer start() {
    if (!state.compareAndSet(State.LATENT, State.STARTED)) {
      throw new IllegalStateException("server already started");
    }
    try {
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start gRPC server: " + e.getMessage(), e);
    }
    health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.SERVING);
    setServing(initiallyServing);
    return this;
  }

  /**
   * The health of the daemon's own services (such as feitian.fuxi.v1.ClusterService),
   * e.g. SERVING only while a master leads. The overall status ("") stays
   * SERVING while the process serves.
   */
  public void setServing(boolean serving) {
    for (String name : serviceNames) {
      health.setStatus(name, serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING);
    }
  }

  /** The bound port (useful when 0 was asked for). */
  public int port() {
    return server.getPort();
  }

  /** Stops taking calls, lets running ones finish within the grace period, then cancels the rest. */
  @Override
  public void close() {
    if (state.getAndSet(State.CLOSED) != State.STARTED) {
      return;
    }
    health.enterTerminalState();
    server.shutdown();
    try {
      if (!server.awaitTermination(shutdownGrace.toMillis(), TimeUnit.MILLISECONDS)) {
        log.info("calls still running after {}; cancelling them", shutdownGrace);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  public static final class Builder {
    private final ServerBuilder<?> builder;
    private final SecuritySettings security;
    private final List<ServerServiceDefinition> services = new ArrayList<>();
    private final List<ServerInterceptor> interceptors = new ArrayList<>();
    /** A server that names no policy takes only admins: forgetting one must not open it. */
    private MethodPolicy policy = MethodPolicy.requiring(Role.ADMIN);
    private Duration shutdownGrace = Duration.ofSeconds(5);
    private boolean initiallyServing = true;

    private Builder(ServerBuilder<?> builder, SecuritySettings security) {
      this.builder = builder;
      this.security = security;
    }

    public Builder service(BindableService service) {
      services.add(service.bindService());
      return this;
    }

    public Builder service(ServerServiceDefinition service) {
      services.add(service);
      return this;
    }

    /** Applied to every daemon service, inside authentication. */
    public Builder intercept(ServerInterceptor interceptor) {
      interceptors.add(interceptor);
      return this;
    }

    public Builder policy(MethodPolicy policy) {
      this.policy = policy;
      return this;
    }

    public Builder shutdownGrace(Duration grace) {
      this.shutdownGrace = grace;
      return this;
    }

    /** The daemon's services report NOT_SERVING until {@link GrpcServer#setServing} says otherwise. */
    public Builder initiallyNotServing() {
      this.initiallyServing = false;
      return this;
    }

    public GrpcServer build() {
      HealthStatusManager health = new HealthStatusManager();
      List<ServerInterceptor> chain = new ArrayList<>(interceptors);
      // ServerInterceptors.intercept runs the last interceptor first: auth goes last so it runs first.
      security.tokens().ifPresent(tokens -> chain.add(new AuthInterceptor(tokens, policy)));
      List<String> names = new ArrayList<>();
      for (ServerServiceDefinition s : services) {
        names.add(s.getServiceDescriptor().getName());
        addGuarded(ServerInterceptors.intercept(s, chain));
      }
      addGuarded(health.getHealthService().bindService());
      addGuarded(ProtoReflectionServiceV1.newInstance().bindService());
      addGuarded(reflectionV1Alpha().bindService());
      builder.maxInboundMessageSize(MAX_REQUEST_BYTES);
      return new GrpcServer(builder.build(), health, List.copyOf(names), initiallyServing, shutdownGrace);
    }

    /** grpc-java deprecates v1alpha reflection, but grpcurl and most tools still ask it first. */
    @SuppressWarnings("deprecation")
    private static BindableService reflectionV1Alpha() {
      return ProtoReflectionService.newInstance();
    }

    /** Requests reach the service unparsed, so that the guard parses them and can refuse malformed ones. */
    private void addGuarded(ServerServiceDefinition service) {
      builder.addService(ServerInterceptors.intercept(ServerInterceptors.useInputStreamMessages(service),
          new RequestGuard()));
    }
  }
}
