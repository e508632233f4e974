package io.feitian.shennong.expose;

import static io.feitian.shennong.expose.PrometheusExpositionTest.sample;
import static io.feitian.shennong.expose.PrometheusExpositionTest.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.feitian.common.security.Pki;
import io.feitian.common.security.Principal;
import io.feitian.common.security.Role;
import io.feitian.common.security.SecuritySettings;
import io.feitian.common.security.TlsSettings;
import io.feitian.common.security.TlsSettings.ClientAuthMode;
import io.feitian.common.security.TokenStore;
import io.feitian.shennong.series.SeriesStore;
import io.feitian.shennong.series.StoreLimits;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real HTTP(S) requests against /metrics, rendered from a store written through the agent's write path. */
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
    return send(http, "http", method, path, token);
  }

  private HttpResponse<String> send(HttpClient client, String scheme, String method, String path, String token)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(10)).method(method, HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aScrapeGetsTheNewestSampleOfEverySeriesInTheTextFormat() throws Exception {
    synchronized (lock) {
      write(store, sample("node.cpu.utilization", Map.of("node", "n1"), 1_000, 0.5));
    }
    server = new MetricsHttpServer("127.0.0.1", 0, metrics, SecuritySettings.INSECURE).start();
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
    server = new MetricsHttpServer("127.0.0.1", 0, metrics, withTokens(TlsSettings.DISABLED)).start();

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

  private static SecuritySettings withTokens(TlsSettings tls) {
    return new SecuritySettings(tls, Optional.of(TOKENS), Optional.empty(), Optional.empty(), Optional.empty());
  }

  private static HttpClient httpsClient(TlsSettings tls) {
    return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).sslContext(tls.sslContext()).build();
  }

  /** As `local up --secure` runs it: mutual TLS from the daemon's PEM files, tokens. */
  @Test
  void withTlsOnAScrapeIsHttpsWithTheDaemonsCertificateAndPlainHttpFails(@TempDir Path dir) throws Exception {
    synchronized (lock) {
      write(store, sample("jobs.running", Map.of(), 1_000, 3));
    }
    Pki pki = new Pki(dir, "cluster-ca");
    Pki.Issued daemon = pki.issue("daemon");
    Pki.Issued prometheus = pki.issue("prometheus", List.of());
    TlsSettings tls = new TlsSettings(true, daemon.cert(), daemon.key(), pki.caPath(), ClientAuthMode.REQUIRE);
    server = new MetricsHttpServer("127.0.0.1", 0, metrics, withTokens(tls)).start();
    HttpClient scraper = httpsClient(TlsSettings.client(pki.caPath().toFile(), prometheus.cert().toFile(),
        prometheus.key().toFile()));

    HttpResponse<String> reader = send(scraper, "https", "GET", "/metrics", READER);
    assertThat(reader.statusCode()).isEqualTo(200);
    assertThat(reader.body()).isEqualTo("# TYPE jobs_running untyped\njobs_running 3.0\n");
    HttpResponse<String> none = send(scraper, "https", "GET", "/metrics", null);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.body()).isEqualTo("missing bearer token for GET /metrics\n");

    // Refused before any HTTP, not left to time out: plain HTTP, a client not trusting the CA, one without a certificate.
    assertThatThrownBy(() -> send(http, "http", "GET", "/metrics", READER)).isInstanceOf(IOException.class)
        .isNotInstanceOf(HttpTimeoutException.class);
    assertThatThrownBy(() -> send(http, "https", "GET", "/metrics", READER)).isInstanceOf(IOException.class)
        .isNotInstanceOf(HttpTimeoutException.class);
    HttpClient anonymous = httpsClient(TlsSettings.client(pki.caPath().toFile(), null, null));
    assertThatThrownBy(() -> send(anonymous, "https", "GET", "/metrics", READER)).isInstanceOf(IOException.class)
        .isNotInstanceOf(HttpTimeoutException.class);
  }

  @Test
  void aRenderThatFailsIsAServerError() throws Exception {
    server = new MetricsHttpServer("127.0.0.1", 0, () -> {
      throw new IllegalStateException("the daemon is stopping");
    }, SecuritySettings.INSECURE).start();
    HttpResponse<String> r = send("GET", "/metrics", null);
    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(r.body()).contains("the daemon is stopping");
  }
}
