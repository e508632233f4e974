package io.feitian.common.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.common.http.DaemonHttpServer.Access;
import io.feitian.common.http.DaemonHttpServer.Reply;
import io.feitian.common.security.Pki;
import io.feitian.common.security.Role;
import io.feitian.common.security.SecuritySettings;
import io.feitian.common.security.TlsSettings;
import io.feitian.common.security.TokenStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the read-only servers (/metrics, analysis-service's page; MetricsHttpServerTest) do not
 * exercise: a server that also takes POST, with an {@link Access} asking an admin's token for it, the
 * caller and the body handed to the handler, and a body too large refused before the handler. Over
 * TLS, a connection that completed its handshake and sent nothing (as a browser's spare one) does
 * not hold up the others, and the handler still sees one request at a time.
 */
class DaemonHttpServerTest {
  @TempDir
  Path dir;
  private DaemonHttpServer server;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private void start() throws Exception {
    Path tokens = Files.writeString(dir.resolve("tokens"), "the-readers-token-1 reader viewer\n"
        + "the-admins-token-01 admin operator\n");
    SecuritySettings security = new SecuritySettings(TlsSettings.DISABLED, Optional.of(TokenStore.parse(tokens)),
        Optional.of(tokens), Optional.empty(), Optional.empty());
    Access access = (method, path) -> path.equals("/page") ? Optional.empty()
        : Optional.of(method.equals("POST") ? Role.ADMIN : Role.READER);
    server = new DaemonHttpServer("test", "127.0.0.1", 0, Set.of("GET", "HEAD", "POST"),
        r -> Reply.text(200, r.method() + " " + r.path() + " by " + r.caller().name() + " " + r.params()
            + " body=" + new String(r.body(), StandardCharsets.UTF_8)), access, security).start();
  }

  private HttpResponse<String> call(String method, String path, String token, String body) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(10)).method(method, HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      r.header("Authorization", "Bearer " + token);
    }
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void overTlsAnIdleConnectionHoldsUpNoOtherAndTheHandlerSeesOneRequestAtATime() throws Exception {
    Pki pki = new Pki(dir.resolve("pki"), "test-ca");
    Pki.Issued daemon = pki.issue("daemon");
    TlsSettings tls = new TlsSettings(true, daemon.cert(), daemon.key(), pki.caPath(), TlsSettings.ClientAuthMode.REQUIRE);
    AtomicInteger inHandler = new AtomicInteger();
    AtomicInteger mostAtOnce = new AtomicInteger();
    server = new DaemonHttpServer("test", "127.0.0.1", 0, r -> {
      mostAtOnce.accumulateAndGet(inHandler.incrementAndGet(), Math::max);
      try {
        Thread.sleep(20); // widens the window in which a second request would overlap
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      inHandler.decrementAndGet();
      return Reply.text(200, "ok");
    }, path -> true, new SecuritySettings(tls, Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.empty())).start();
    SSLContext client = TlsSettings.client(pki.caPath().toFile(), daemon.cert().toFile(), daemon.key().toFile())
        .sslContext();
    HttpClient https = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).sslContext(client).build();
    HttpRequest get = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + "/"))
        .timeout(Duration.ofSeconds(10)).build();
    try (SSLSocket idle = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", server.port())) {
      idle.startHandshake();
      List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        answers.add(https.sendAsync(get, HttpResponse.BodyHandlers.ofString()));
      }
      for (CompletableFuture<HttpResponse<String>> answer : answers) {
        assertThat(answer.get(20, TimeUnit.SECONDS).body()).isEqualTo("ok");
      }
    }
    assertThat(mostAtOnce.get()).isEqualTo(1);
  }

  @Test
  void aPostNeedsTheRoleItsAccessNamesAndTheHandlerSeesTheCallerAndTheBody() throws Exception {
    start();
    assertThat(call("GET", "/page", null, "").statusCode()).isEqualTo(200);
    assertThat(call("GET", "/data?x=a%20b", "the-readers-token-1", "").body())
        .isEqualTo("GET /data by viewer {x=a b} body=");
    assertThat(call("POST", "/act", null, "").statusCode()).isEqualTo(401);
    HttpResponse<String> reader = call("POST", "/act", "the-readers-token-1", "");
    assertThat(reader.statusCode()).isEqualTo(403);
    assertThat(reader.body()).contains("POST /act needs role admin; viewer has reader");
    assertThat(call("POST", "/act?n=1", "the-admins-token-01", "hello").body())
        .isEqualTo("POST /act by operator {n=1} body=hello");

    HttpResponse<String> large = call("POST", "/act", "the-admins-token-01", "x".repeat(DaemonHttpServer.MAX_BODY_BYTES + 1));
    assertThat(large.statusCode()).isEqualTo(413);
    HttpResponse<String> put = call("PUT", "/act", "the-admins-token-01", "");
    assertThat(put.statusCode()).isEqualTo(405);
    assertThat(put.headers().firstValue("Allow")).hasValue("GET, HEAD, POST");
  }
}
