package io.feitian.shennong.expose;

import static io.feitian.shennong.expose.PrometheusExpositionTest.sample;
import static io.feitian.shennong.expose.PrometheusExpositionTest.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.common.security.Principal;
import io.feitian.common.security.Role;
import io.feitian.common.security.SecuritySettings;
import io.feitian.common.security.TlsSettings;
import io.feitian.common.security.TokenStore;
import io.feitian.shennong.series.SeriesStore;
import io.feitian.shennong.series.StoreLimits;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Real HTTP requests against /metrics, rendered from a store written through the agent's write path. */
class MetricsHttpServerTest {
  private static final String READER = "reader-token-0123456789";
  private static final TokenStore TOKENS = new TokenStore(Map.of(READER, new Principal("prometheus", Role.READER)));
  private final SeriesStore store = new SeriesStore(StoreLimits.DEFAULT);
  private final Object lock = new Object();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private MetricsHttpServer server;

  /** What a daemon hands the server: the render under the lock its store is kept with. */
  private final Supplier<byte[]> metrics = () -> {
    synchronized (lock) {
      return PrometheusExposition.render(store, List.of());
    }
  };

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private HttpResponse<String> send(String method, String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(10)).method(method, HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aScrapeGetsTheNewestSampleOfEverySeriesInTheTextFormat() throws Exception {
    synchronized (lock) {
      write(store, sample("node.cpu.utilization", Map.of("node", "n1"), 1_000, 0.5));
    }
    server = new MetricsHttpServer("127.0.0.1", 0, metrics, Optional.empty()).start();
    HttpResponse<String> r = send("GET", "/metrics", null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
    assertThat(r.body()).contains("node_cpu_utilization{node=\"n1\"} 0.5\n");

    synchronized (lock) {
      write(store, sample("node.cpu.utilization", Map.of("node", "n1"), 2_000, 0.875));
    }
    assertThat(send("GET", "/metrics", null).body()).as("rendered at each scrape")
        .contains("node_cpu_utilization{node=\"n1\"} 0.875\n");
    assertThat(send("GET", "/other", null).statusCode()).isEqualTo(404);
    HttpResponse<String> post = send("POST", "/metrics", null);
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
  }

  @Test
  void withAuthenticationOnAScrapeNeedsAKnownToken() throws Exception {
    synchronized (lock) {
      write(store, sample("jobs.running", Map.of(), 1_000, 3));
    }
    SecuritySettings security = new SecuritySettings(TlsSettings.DISABLED, Optional.of(TOKENS), Optional.empty(),
        Optional.empty(), Optional.empty());
    server = MetricsHttpServer.of("127.0.0.1", 0, metrics, security).start();

    HttpResponse<String> none = send("GET", "/metrics", null);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"feitian\"");
    assertThat(none.body()).isEqualTo("missing bearer token for GET /metrics\n");
    HttpResponse<String> unknown = send("GET", "/metrics", "not-a-known-token-000");
    assertThat(unknown.statusCode()).isEqualTo(401);
    assertThat(unknown.body()).doesNotContain("jobs_running");

    HttpResponse<String> reader = send("GET", "/metrics", READER);
    assertThat(reader.statusCode()).isEqualTo(200);
    assertThat(reader.body()).isEqualTo("# TYPE jobs_running untyped\njobs_running 3.0\n");
  }

  @Test
  void aRenderThatFailsIsAServerError() throws Exception {
    server = new MetricsHttpServer("127.0.0.1", 0, () -> {
      throw new IllegalStateException("the daemon is stopping");
    }, Optional.empty()).start();
    HttpResponse<String> r = send("GET", "/metrics", null);
    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(r.body()).contains("the daemon is stopping");
  }
}
