package io.feitian.dayu.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.feitian.common.security.Pki;
import io.feitian.common.security.TlsSettings;
import io.feitian.dayu.db.ParamChange;
import io.feitian.dayu.db.ParamScope;
import io.feitian.proto.dayu.v1.AddClusterRequest;
import io.feitian.proto.dayu.v1.AddNodeRequest;
import io.feitian.proto.dayu.v1.GetRolloutRequest;
import io.feitian.proto.dayu.v1.RolloutInfo;
import io.feitian.proto.dayu.v1.RolloutKind;
import io.feitian.proto.dayu.v1.RolloutStrategy;
import io.feitian.proto.dayu.v1.StartRolloutRequest;
import io.feitian.testkit.FreePorts;
import io.feitian.testkit.HeadlessChromium;
import io.feitian.testkit.SamplePackages;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * dayu-server's web UI with tokens on. In headless Chromium, over HTTPS with a client certificate
 * required (TLS on as a production cluster runs it, the agents' gRPC too): an operator's browser
 * trusting the cluster's CA and holding a certificate of it logs in with a token and drives an
 * interactive deploy that real dayu-agents (processes, a node each, running python3's http.server
 * as the module) carry out: the page shows each batch's nodes and their steps as they move, and its
 * buttons approve the next batch, pause and resume, each checked through the gRPC API. The
 * screenshots go to target/dayu-web/ (docs/images/ holds copies taken once). Then the JSON over
 * plain HTTP: the roles the gRPC methods need, and bad parameters named; and over TLS what is
 * refused before any HTTP, a browser without a client certificate among them.
 */
class DayuWebTest {
  private static final String CLUSTER = "prod";
  private static final String MODULE = "web";
  private static final List<String> HOSTS = List.of("n1", "n2", "n3");
  private static final String OPERATOR = "operator-token-0001";
  private static final String VIEWER = "viewer-token-00001";
  private static final String DAEMONS = "daemons-token-0001";
  private static final Duration DEADLINE = Duration.ofSeconds(90);
  private static final Path SCREENSHOTS = Path.of("target", "dayu-web");

  @TempDir
  Path dir;
  private DayuServerFixture server;
  private AgentProcesses agents;
  /** The cluster's CA and the operator's client certificate, once {@link #startSecureServer()} made them. */
  private Pki pki;
  private Pki.Issued operator;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @AfterEach
  void stop() {
    if (agents != null) {
      agents.close();
    }
    if (server != null) {
      server.close();
    }
  }

  /** A server with the web UI on a free port and tokens on (the fixture's client uses the daemons' admin token). */
  private DayuServerFixture startServer() throws Exception {
    return startServer(Map.of());
  }

  /** {@link #startServer()} with {@code extra} settings on top (TLS, say). */
  private DayuServerFixture startServer(Map<String, Object> extra) throws Exception {
    Path tokens = Files.writeString(dir.resolve("tokens"), OPERATOR + " admin operator\n" + VIEWER + " reader viewer\n"
        + DAEMONS + " admin daemons\n");
    Map<String, Object> settings = new HashMap<>(Map.of("dayu.server.http.port", 0,
        "feitian.security.auth.enabled", true, "feitian.security.auth.tokens-file", tokens.toString(),
        "feitian.security.token", DAEMONS, "dayu.rollouts.agent-grace", "5s"));
    settings.putAll(extra);
    server = new DayuServerFixture(dir.resolve("server"), settings);
    server.dayu().addCluster(AddClusterRequest.newBuilder().setName(CLUSTER).setDescription("for the web UI").build());
    return server;
  }

  /**
   * {@link #startServer()} with feitian.security.tls on, as `local up --secure` and a production cluster
   * run it: a cluster CA made by Pki, the server's certificate, a client certificate required (of
   * every caller: the web UI's browsers and the gRPC clients alike); the operator's certificate issued.
   */
  private DayuServerFixture startSecureServer() throws Exception {
    pki = new Pki(dir.resolve("pki"), "cluster-ca");
    operator = pki.issue("operator", List.of());
    return startServer(tls(pki.issue("dayu-server")));
  }

  /** The TLS settings of a daemon holding {@code cert}, a certificate of the cluster's CA. */
  private Map<String, Object> tls(Pki.Issued cert) {
    return Map.of("feitian.security.tls.enabled", true, "feitian.security.tls.cert", cert.cert().toString(),
        "feitian.security.tls.key", cert.key().toString(), "feitian.security.tls.ca", pki.caPath().toString(),
        "feitian.security.tls.client-auth", "require");
  }

  @Test
  void overHttpsAnOperatorWatchesAnInteractiveDeployAndApprovesPausesAndResumesItFromThePage() throws Exception {
    startSecureServer();
    assertThat(server.web()).startsWith("https://");
    int port = FreePorts.block(HOSTS.size());
    List<ParamChange> ports = new ArrayList<>();
    for (String host : HOSTS) {
      server.dayu().addNode(AddNodeRequest.newBuilder().setCluster(CLUSTER).setHost(host).setRack("r1")
          .addRoles("worker").build());
      ports.add(ParamChange.set(MODULE, ParamScope.NODE, host, "port", String.valueOf(port++)));
    }
    server.upload(MODULE, "1.0.0", SamplePackages.serving(MODULE, "1.0.0", "health"));
    // Two revisions, so that the page has a history and a diff to show.
    server.database().params().set(CLUSTER, "operator", "ports of n1 and n2", ports.subList(0, 2));
    server.database().params().set(CLUSTER, "operator", "port of n3", ports.subList(2, 3));
    agents = new AgentProcesses(dir, CLUSTER, MODULE);
    List<String> agentSettings = new ArrayList<>(List.of("feitian.security.token=" + DAEMONS));
    tls(pki.issue("dayu-agent")).forEach((k, v) -> agentSettings.add(k + "=" + v));
    HOSTS.forEach(h -> agents.start(h, server.target(), agentSettings.toArray(String[]::new)));
    // Every agent watching, so that the plan counts every node up (one away would be deferred and repaired later).
    await().atMost(DEADLINE).until(() -> server.database().clusters().nodes(CLUSTER).stream()
        .allMatch(n -> n.lastSeenAt().isPresent()) && HOSTS.stream().allMatch(agents::watching));

    long id = server.rollouts().startRollout(StartRolloutRequest.newBuilder().setCluster(CLUSTER)
        .setKind(RolloutKind.DEPLOY).putTargets(MODULE, "1.0.0").setCreatedBy("operator")
        .setStrategy(RolloutStrategy.newBuilder().addBatches("1").setMinHealthy("0s").setDefaultMaxUnavailable("1")
            .setInteractive(true))
        .build()).getId();

    // The operator's browser: trusts the cluster's CA and presents the operator's certificate of it.
    try (HeadlessChromium browser = HeadlessChromium.window(1280, 1100).trusting(pki.caPath())
        .withClientCertificate(operator.cert(), operator.key()).start()) {
      WebDriver page = browser.driver();
      page.get(server.web() + "/");
      WebDriverWait wait = new WebDriverWait(page, DEADLINE);
      wait.withMessage(() -> "the page says: " + text(page, "status") + text(page, "login-error")
          + "; the rollout: " + rollout(id));
      wait.until(d -> d.findElement(By.id("login")).isDisplayed());
      page.findElement(By.id("token")).sendKeys("not-a-token-at-all");
      page.findElement(By.id("login-button")).click();
      wait.until(d -> text(d, "login-error").contains("unknown bearer token"));
      page.findElement(By.id("token")).clear();
      page.findElement(By.id("token")).sendKeys(OPERATOR);
      page.findElement(By.id("login-button")).click();

      // The first batch waits for approval; the page shows the rollout and its three batches.
      wait.until(d -> attribute(d, "rollout", "data-id").equals(String.valueOf(id))
          && attribute(d, "rollout", "data-awaiting").equals("true"));
      assertThat(page.findElements(By.cssSelector("#phases table.batches tr"))).hasSize(3);
      page.findElement(By.id("approve")).click();
      wait.until(d -> task(d, "n1").equals("SUCCEEDED") && attribute(d, "rollout", "data-awaiting").equals("true"));
      assertThat(task(page, "n2")).isEqualTo("PENDING");
      assertThat(attribute(page, "rollout", "data-state")).isEqualTo("RUNNING");
      // The nodes' table shows what n1 runs now (refreshed every 5 s).
      wait.until(d -> nodeRow(d, "n1").contains("web 1.0.0"));
      ((JavascriptExecutor) page).executeScript("document.querySelector(\"#param-history tr[data-revision='2']\").click()");
      wait.until(d -> text(d, "param-diff").contains("n3"));
      browser.screenshot(SCREENSHOTS.resolve("dayu-web-awaiting-approval.png"));

      page.findElement(By.id("pause")).click();
      wait.until(d -> attribute(d, "rollout", "data-paused").equals("true"));
      assertThat(rollout(id).getPaused()).isTrue();
      assertThat(page.findElement(By.id("resume")).isEnabled()).isTrue();
      page.findElement(By.id("resume")).click();
      wait.until(d -> attribute(d, "rollout", "data-paused").equals("false"));
      assertThat(rollout(id).getPaused()).isFalse();

      // Approve the other two batches as each comes up; the page follows them to the end.
      for (String host : List.of("n2", "n3")) {
        wait.until(d -> attribute(d, "rollout", "data-awaiting").equals("true"));
        page.findElement(By.id("approve")).click();
        wait.until(d -> task(d, host).equals("SUCCEEDED"));
      }
      wait.until(d -> attribute(d, "rollout", "data-state").equals("SUCCEEDED"));
      assertThat(rollout(id).getState()).isEqualTo("SUCCEEDED");
      wait.until(d -> HOSTS.stream().allMatch(h -> nodeRow(d, h).contains("web 1.0.0")));
      browser.screenshot(SCREENSHOTS.resolve("dayu-web-succeeded.png"));
      assertThat(text(page, "status")).isEmpty();
    }
  }

  private RolloutInfo rollout(long id) {
    return server.rollouts().getRollout(GetRolloutRequest.newBuilder().setId(id).build());
  }

  // The page redraws its tables every second: elements are read in one script each, never held.
  private static final String READ = "const e = document.querySelector(arguments[0]);"
      + "return !e ? '' : arguments[1] === 'text' ? e.innerText : (e.getAttribute(arguments[1]) || '');";

  private static String read(WebDriver page, String selector, String what) {
    return (String) ((JavascriptExecutor) page).executeScript(READ, selector, what);
  }

  private static String text(WebDriver page, String id) {
    return read(page, "#" + id, "text");
  }

  private static String attribute(WebDriver page, String id, String name) {
    return read(page, "#" + id, name);
  }

  /** The state the page shows for {@code host}'s task. */
  private static String task(WebDriver page, String host) {
    return read(page, "td.task[data-host='" + host + "']", "data-state");
  }

  private static String nodeRow(WebDriver page, String host) {
    return read(page, "#nodes tr[data-host='" + host + "']", "text");
  }

  private HttpResponse<String> call(String method, String path, String token) throws Exception {
    return call(http, method, path, token);
  }

  private HttpResponse<String> call(HttpClient http, String method, String path, String token) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(server.web() + path)).timeout(Duration.ofSeconds(20))
        .method(method, HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      r.header("Authorization", "Bearer " + token);
    }
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theJsonNeedsTheRoleOfItsGrpcMethodAndNamesBadParameters() throws Exception {
    startServer();
    assertThat(call("GET", "/", null).body()).contains("<script src=\"dayu.js\">");
    assertThat(call("GET", "/dayu.js", null).statusCode()).isEqualTo(200);
    HttpResponse<String> none = call("GET", "/api/clusters", null);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"feitian\"");
    assertThat(call("GET", "/api/clusters", "not-a-token-at-all").statusCode()).isEqualTo(401);
    HttpResponse<String> clusters = call("GET", "/api/clusters", VIEWER);
    assertThat(clusters.statusCode()).isEqualTo(200);
    assertThat(clusters.body()).contains("\"name\":\"prod\"", "for the web UI");

    // A command needs what the gRPC Command needs: admin.
    HttpResponse<String> denied = call("POST", "/api/rollout/command?id=1&verb=pause", VIEWER);
    assertThat(denied.statusCode()).isEqualTo(403);
    assertThat(denied.body()).contains("needs role admin", "viewer has reader");

    Map<String, String> bad = Map.of(
        "GET /api/cluster", "cluster is required",
        "GET /api/rollout?id=seven", "id must be a whole number, got \"seven\"",
        "GET /api/params?cluster=prod", "module is required",
        "GET /api/params/diff?cluster=prod&from=1&to=x", "to must be a whole number",
        "POST /api/rollout/command?id=1&verb=dance", "verb must be pause, resume, approve, abort or rollback",
        "POST /api/rollout/command?verb=pause", "id is required");
    for (Map.Entry<String, String> e : bad.entrySet()) {
      String[] request = e.getKey().split(" ");
      HttpResponse<String> r = call(request[0], request[1], OPERATOR);
      assertThat(r.statusCode()).as(e.getKey()).isEqualTo(400);
      assertThat(r.body()).as(e.getKey()).contains(e.getValue());
    }
    // The API's own refusals, mapped: NOT_FOUND and a wrong method.
    HttpResponse<String> missing = call("POST", "/api/rollout/command?id=99&verb=pause", OPERATOR);
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.body()).contains("no rollout 99");
    assertThat(call("GET", "/api/cluster?cluster=nowhere", VIEWER).statusCode()).isEqualTo(404);
    assertThat(call("GET", "/api/rollout/command?id=1&verb=pause", OPERATOR).statusCode()).isEqualTo(405);
    assertThat(call("POST", "/api/clusters", OPERATOR).statusCode()).isEqualTo(405);
    assertThat(call("DELETE", "/api/clusters", OPERATOR).statusCode()).isEqualTo(405);
    assertThat(call("GET", "/api/nothing", VIEWER).statusCode()).isEqualTo(404);
  }

  /**
   * With feitian.security.tls on (as `local up --secure` and a production cluster run it) the page and its
   * JSON are HTTPS only, with the gRPC server's certificate and CA, and a client certificate is required:
   * a browser of an operator holds one issued by the cluster's CA, then logs in with a token as over HTTP
   * (the first test drives the page so). Here an HTTP client holding the operator's certificate gets the
   * same answers by token; plain HTTP, a client without a certificate, one not trusting the CA and a real
   * browser without a certificate are refused before any HTTP.
   */
  @Test
  void overTlsThePageAndTheJsonAreHttpsOnlyAndWantAClientCertificate() throws Exception {
    startSecureServer();
    assertThat(server.web()).startsWith("https://");
    HttpClient browser = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).sslContext(TlsSettings.client(
        pki.caPath().toFile(), operator.cert().toFile(), operator.key().toFile()).sslContext()).build();

    assertThat(call(browser, "GET", "/", null).body()).contains("<script src=\"dayu.js\">");
    assertThat(call(browser, "GET", "/api/clusters", null).statusCode()).isEqualTo(401);
    HttpResponse<String> clusters = call(browser, "GET", "/api/clusters", VIEWER);
    assertThat(clusters.statusCode()).isEqualTo(200);
    assertThat(clusters.body()).contains("\"name\":\"prod\"");
    assertThat(call(browser, "POST", "/api/rollout/command?id=1&verb=pause", VIEWER).statusCode()).isEqualTo(403);

    // Refused before any HTTP: plain HTTP on the port, a client without a certificate, one not trusting the CA.
    String plain = server.web().replace("https://", "http://");
    assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(URI.create(plain + "/")).timeout(Duration.ofSeconds(20))
        .build(), HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class)
        .isNotInstanceOf(HttpTimeoutException.class);
    HttpClient anonymous = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
        .sslContext(TlsSettings.client(pki.caPath().toFile(), null, null).sslContext()).build();
    assertThatThrownBy(() -> call(anonymous, "GET", "/api/clusters", VIEWER)).isInstanceOf(IOException.class)
        .isNotInstanceOf(HttpTimeoutException.class);
    assertThatThrownBy(() -> call(http, "GET", "/api/clusters", VIEWER)).isInstanceOf(IOException.class)
        .isNotInstanceOf(HttpTimeoutException.class);

    // A browser trusting the CA but holding no certificate of it: the server ends the handshake by closing the
    // connection (the JDK's server sends no TLS alert), and Chromium shows its error page for a connection closed
    // without an answer: ERR_SOCKET_NOT_CONNECTED when the close comes before its request, ERR_EMPTY_RESPONSE
    // after (both seen; which one is a race), never dayu's page.
    try (HeadlessChromium stranger = HeadlessChromium.window(1280, 500).trusting(pki.caPath()).start()) {
      WebDriver page = stranger.driver();
      page.get(server.web() + "/");
      String shown = page.findElement(By.tagName("body")).getText();
      stranger.screenshot(SCREENSHOTS.resolve("dayu-web-no-client-certificate.png"));
      assertThat(shown).containsPattern("ERR_(SOCKET_NOT_CONNECTED|EMPTY_RESPONSE|CONNECTION_CLOSED|CONNECTION_RESET)");
      assertThat(page.findElements(By.id("login"))).isEmpty();
    }
  }
}
