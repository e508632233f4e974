package io.feitian.shennong.expose;

import io.feitian.common.http.DaemonHttpServer;
import io.feitian.common.security.SecuritySettings;
import java.io.Closeable;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code GET /metrics} for Prometheus to scrape, with the body the owning daemon renders:
 * it calls {@code metrics} (e.g. {@link PrometheusExposition#snapshot} on the daemon's loop, then
 * {@link PrometheusExposition#write}) once per scrape, on the server's own single thread. Tokens,
 * TLS and the lifecycle are {@link DaemonHttpServer}'s: a scrape needs a reader's token when
 * authentication is on.
 */
public final class MetricsHttpServer implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(MetricsHttpServer.class);
  public static final String PATH = "/metrics";

  private final DaemonHttpServer server;

  /**
   * @param metrics the body of a scrape, in {@link PrometheusExposition#CONTENT_TYPE}; called on
   *     the server's thread
   * @param security the process's: scrapes must present one of its tokens when authentication is
   *     on, and come over HTTPS when its TLS is
   */
  public MetricsHttpServer(String host, int port, Supplier<byte[]> metrics, SecuritySettings security) {
    server = new DaemonHttpServer("metrics", host, port, request -> {
      if (!PATH.equals(request.path())) {
        return DaemonHttpServer.Reply.text(404, "not found: Prometheus metrics are at " + PATH + "\n");
      }
      try {
        return new DaemonHttpServer.Reply(200, PrometheusExposition.CONTENT_TYPE, metrics.get());
      } catch (RuntimeException e) {
        log.warn("cannot render {}", PATH, e);
        return DaemonHttpServer.Reply.text(500, "cannot render metrics: " + e + "\n");
      }
    }, path -> false, security);
  }

  public MetricsHttpServer start() {
    server.start();
    return this;
  }

  /** The bound port (useful when 0 was asked for). */
  public int port() {
    return server.port();
  }

  /** Stops serving at once (a scrape in progress is cut) and ends the server's thread. */
  @Override
  public void close() {
    server.close();
  }
}
