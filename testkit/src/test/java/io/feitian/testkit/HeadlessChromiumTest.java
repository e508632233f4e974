package io.feitian.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The browser really runs: it loads a page from a server in this test, runs its script, a click
 * reaches the server, and the screenshot is a PNG. Given a CA and a client certificate (made
 * here with openssl), it opens a page over HTTPS from a server that requires a client
 * certificate, and the server sees the browser's. One browser serves both tests.
 */
class HeadlessChromiumTest {
  private static final String PAGE = """
      <!doctype html><html><body>
      <p id="state">loading</p><button id="go">go</button>
      <script>
        document.getElementById('state').textContent = 'ready';
        document.getElementById('go').onclick = () =>
          fetch('/press', {method: 'POST', body: 'pressed'})
            .then(() => document.getElementById('state').textContent = 'sent');
      </script></body></html>
      """;
  private static final Path OPENSSL = Path.of("/usr/bin/openssl");
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir
  static Path pki;
  private static HeadlessChromium browser;

  @BeforeAll
  static void startTheBrowser() {
    DebianPackages.ensure(OPENSSL, "openssl");
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
        "-subj", "/CN=test-ca", "-keyout", file("ca.key"), "-out", file("ca.pem"),
        "-addext", "basicConstraints=critical,CA:true", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    issue("server", "subjectAltName=IP:127.0.0.1\n");
    issue("browser-client", "");
    browser = HeadlessChromium.window(800, 600).trusting(pki.resolve("ca.pem"))
        .withClientCertificate(pki.resolve("browser-client.pem"), pki.resolve("browser-client.key")).start();
  }

  @AfterAll
  static void stopTheBrowser() {
    if (browser != null) {
      browser.close();
    }
  }

  /** A certificate of the CA for {@code name} (its CN), its key as PKCS#8 PEM, as the project's Pki writes them. */
  private static void issue(String name, String extensions) {
    try {
      Files.writeString(pki.resolve(name + ".ext"), extensions + "basicConstraints=CA:false\n");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=" + name,
        "-keyout", file(name + ".key"), "-out", file(name + ".csr"));
    openssl("x509", "-req", "-in", file(name + ".csr"), "-CA", file("ca.pem"), "-CAkey", file("ca.key"),
        "-CAcreateserial", "-days", "1", "-extfile", file(name + ".ext"), "-out", file(name + ".pem"));
  }

  private static String file(String name) {
    return pki.resolve(name).toString();
  }

  private static void openssl(String... args) {
    List<String> cmd = new ArrayList<>(List.of(OPENSSL.toString()));
    cmd.addAll(List.of(args));
    Commands.run(cmd, TIMEOUT);
  }

  @Test
  void loadsAPageRunsItsScriptAndAClickReachesTheServer() throws Exception {
    LinkedBlockingQueue<String> posts = new LinkedBlockingQueue<>();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      if ("POST".equals(exchange.getRequestMethod())) {
        posts.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        exchange.sendResponseHeaders(204, -1);
      } else {
        answer(exchange, PAGE);
      }
      exchange.close();
    });
    server.start();
    try {
      browser.driver().get("http://127.0.0.1:" + server.getAddress().getPort() + "/");
      WebDriverWait wait = new WebDriverWait(browser.driver(), Duration.ofSeconds(20));
      wait.until(ExpectedConditions.textToBe(By.id("state"), "ready"));
      browser.driver().findElement(By.id("go")).click();
      assertEquals("pressed", posts.poll(20, TimeUnit.SECONDS));
      wait.until(ExpectedConditions.textToBe(By.id("state"), "sent"));
      Path png = browser.screenshot(Path.of("target", "screenshots", "headless-chromium.png"));
      byte[] pngSignature = {(byte) 0x89, 'P', 'N', 'G'};
      assertArrayEquals(pngSignature, Arrays.copyOf(Files.readAllBytes(png), 4));
    } finally {
      server.stop(0);
    }
  }

  @Test
  void trustsTheCaAndPresentsTheClientCertificateToAServerThatRequiresOne() throws Exception {
    HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    SSLContext tls = serverContext();
    server.setHttpsConfigurator(new HttpsConfigurator(tls) {
      @Override
      public void configure(HttpsParameters params) {
        SSLParameters p = tls.getDefaultSSLParameters();
        p.setNeedClientAuth(true);
        params.setSSLParameters(p);
      }
    });
    server.createContext("/", exchange -> {
      X509Certificate client = (X509Certificate) ((HttpsExchange) exchange).getSSLSession().getPeerCertificates()[0];
      answer(exchange, "<!doctype html><p id=\"client\">" + client.getSubjectX500Principal().getName() + "</p>");
      exchange.close();
    });
    server.start();
    try {
      browser.driver().get("https://127.0.0.1:" + server.getAddress().getPort() + "/");
      new WebDriverWait(browser.driver(), Duration.ofSeconds(20))
          .withMessage(() -> "the browser shows: " + browser.driver().getPageSource())
          .until(ExpectedConditions.textToBe(By.id("client"), "CN=browser-client"));
    } finally {
      server.stop(0);
    }
  }

  /** The server's certificate and key; the CA its clients' certificates must come from. */
  private static SSLContext serverContext() throws Exception {
    openssl("pkcs12", "-export", "-in", file("server.pem"), "-inkey", file("server.key"), "-passout", "pass:server",
        "-out", file("server.p12"));
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(pki.resolve("server.p12"))) {
      keys.load(in, "server".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, "server".toCharArray());
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(pki.resolve("ca.pem"))) {
      trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return tls;
  }

  private static void answer(HttpExchange exchange, String html) throws IOException {
    byte[] body = html.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
    exchange.sendResponseHeaders(200, body.length);
    exchange.getResponseBody().write(body);
  }
}
