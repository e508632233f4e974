package io.feitian.dayu.agent.node;

import io.feitian.dayu.descriptor.HealthCheck;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One attempt at a module's health check, placeholders already filled in; the {@code health-check}
 * step repeats it until it passes or the step's timeout. Each attempt is bounded by the time it is
 * given and says why it failed.
 *
 * <ul>
 *   <li>command: exits 0 (its output is the detail);
 *   <li>http: a GET of the URL answers the expected status (HTTP/1.1, redirects not followed);
 *   <li>grpc: the standard health service answers SERVING for the service, over plaintext;
 *   <li>shennong: not checked on the node. The condition is on a series Shennong gathers from many
 *       nodes, and dayu-server evaluates it for the rollout's health gate; the step passes.
 * </ul>
 */
public class HealthChecker {
  /** The outcome of one attempt: healthy or not, and what was seen ("HTTP 503", "exit 1: ..."). */
  public record Result(boolean healthy, String detail) {}

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .followRedirects(HttpClient.Redirect.NEVER).build();

  public Result check(HealthCheck check, Duration timeout) throws InterruptedException {
    if (check instanceof HealthCheck.Command c) {
      return command(c, timeout);
    } else if (check instanceof HealthCheck.Http h) {
      return http(h, timeout);
    } else if (check instanceof HealthCheck.Grpc g) {
      return grpc(g, timeout);
    }
    HealthCheck.ShennongSeries s = (HealthCheck.ShennongSeries) check;
    return new Result(true, "the Shennong condition on " + s.series() + " is checked by dayu-server, not on the node");
  }

  private static Result command(HealthCheck.Command c, Duration timeout) throws InterruptedException {
    try {
      Commands.Outcome out = Commands.run(c.command(), timeout);
      return new Result(out.ok(), String.join(" ", c.command()) + ": " + out.describe());
    } catch (IOException e) {
      return new Result(false, String.join(" ", c.command()) + ": cannot run: " + e.getMessage());
    }
  }

  private Result http(HealthCheck.Http h, Duration timeout) throws InterruptedException {
    try {
      HttpRequest request = HttpRequest.newBuilder(URI.create(h.url())).timeout(timeout).GET().build();
      int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
      return new Result(status == h.expectStatus(), "GET " + h.url() + ": HTTP " + status
          + (status == h.expectStatus() ? "" : ", expected " + h.expectStatus()));
    } catch (IOException | IllegalArgumentException e) {
      return new Result(false, "GET " + h.url() + ": " + e);
    }
  }

  private static Result grpc(HealthCheck.Grpc g, Duration timeout) throws InterruptedException {
    String what = "gRPC health of " + (g.service().isEmpty() ? "the server" : g.service()) + " at " + g.address();
    ManagedChannel channel = ManagedChannelBuilder.forTarget(g.address()).usePlaintext().build();
    try {
      HealthCheckResponse.ServingStatus status = HealthGrpc.newBlockingStub(channel)
          .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .check(HealthCheckRequest.newBuilder().setService(g.service()).build()).getStatus();
      return new Result(status == HealthCheckResponse.ServingStatus.SERVING, what + ": " + status);
    } catch (StatusRuntimeException e) {
      return new Result(false, what + ": " + e.getStatus().getCode()
          + (e.getStatus().getDescription() == null ? "" : " " + e.getStatus().getDescription()));
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
