package io.feitian.dayu.agent.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.feitian.dayu.agent.node.HealthChecker.Result;
import io.feitian.dayu.descriptor.HealthCheck;
import io.feitian.testkit.FreePorts;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Each kind of check against the real thing: an HTTP server, a gRPC server with the health service, commands. */
class HealthCheckerTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static HttpServer http;
  private static Server grpc;
  private static HealthStatusManager health;
  private final HealthChecker checker = new HealthChecker();

  @BeforeAll
  static void servers() throws Exception {
    http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    http.createContext("/ok", x -> {
      x.sendResponseHeaders(200, -1);
      x.close();
    });
    http.createContext("/starting", x -> {
      x.sendResponseHeaders(503, -1);
      x.close();
    });
    http.start();
    health = new HealthStatusManager();
    health.setStatus("", ServingStatus.SERVING);
    health.setStatus("feitian.x.v1.Down", ServingStatus.NOT_SERVING);
    grpc = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()).addService(health.getHealthService())
        .build().start();
  }

  @AfterAll
  static void stop() throws Exception {
    http.stop(0);
    grpc.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private static String url(String path) {
    return "http://127.0.0.1:" + http.getAddress().getPort() + path;
  }

  private Result check(HealthCheck c) throws InterruptedException {
    return checker.check(c, TIMEOUT);
  }

  @Test
  void httpPassesOnTheExpectedStatusOnly() throws Exception {
    assertThat(check(new HealthCheck.Http(url("/ok"), 200))).isEqualTo(new Result(true, "GET " + url("/ok") + ": HTTP 200"));
    assertThat(check(new HealthCheck.Http(url("/starting"), 200)))
        .isEqualTo(new Result(false, "GET " + url("/starting") + ": HTTP 503, expected 200"));
    assertThat(check(new HealthCheck.Http(url("/starting"), 503)).healthy()).isTrue();
  }

  @Test
  void httpWithNothingListeningFails() throws Exception {
    String url = "http://127.0.0.1:" + FreePorts.one() + "/health";

    Result r = check(new HealthCheck.Http(url, 200));

    assertThat(r.healthy()).isFalse();
    assertThat(r.detail()).startsWith("GET " + url + ": java.net.ConnectException");
  }

  @Test
  void grpcAsksTheStandardHealthService() throws Exception {
    String address = "127.0.0.1:" + grpc.getPort();

    assertThat(check(new HealthCheck.Grpc(address, "")))
        .isEqualTo(new Result(true, "gRPC health of the server at " + address + ": SERVING"));
    assertThat(check(new HealthCheck.Grpc(address, "feitian.x.v1.Down")))
        .isEqualTo(new Result(false, "gRPC health of feitian.x.v1.Down at " + address + ": NOT_SERVING"));
    assertThat(check(new HealthCheck.Grpc(address, "feitian.x.v1.Unknown")).detail()).contains(": NOT_FOUND");
  }

  @Test
  void grpcWithNothingListeningIsUnavailable() throws Exception {
    String address = "127.0.0.1:" + FreePorts.one();

    Result r = check(new HealthCheck.Grpc(address, ""));

    assertThat(r.healthy()).isFalse();
    assertThat(r.detail()).startsWith("gRPC health of the server at " + address + ": UNAVAILABLE");
  }

  @Test
  void aCommandPassesWhenItExitsZero() throws Exception {
    assertThat(check(new HealthCheck.Command(List.of("true")))).isEqualTo(new Result(true, "true: exit 0"));
    assertThat(check(new HealthCheck.Command(List.of("sh", "-c", "echo not ready >&2; exit 3"))))
        .isEqualTo(new Result(false, "sh -c echo not ready >&2; exit 3: exit 3: not ready"));
    assertThat(check(new HealthCheck.Command(List.of("/no/such/program"))).detail())
        .startsWith("/no/such/program: cannot run: ");
  }

  @Test
  void aCommandOverItsTimeIsKilledAndFails() throws Exception {
    long started = System.nanoTime();

    Result r = checker.check(new HealthCheck.Command(List.of("sleep", "30")), Duration.ofMillis(200));

    assertThat(r).isEqualTo(new Result(false, "sleep 30: timed out"));
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void aShennongConditionIsLeftToTheServer() throws Exception {
    Result r = check(new HealthCheck.ShennongSeries("feitian.task_worker.workers", ">", 0, 30_000));

    assertThat(r.healthy()).isTrue();
    assertThat(r.detail()).isEqualTo(
        "the Shennong condition on feitian.task_worker.workers is checked by dayu-server, not on the node");
  }
}
