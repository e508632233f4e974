package io.feitian.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The browser really runs: it loads a page from a server in this test, runs its script, a click
 * reaches the server, and the screenshot is a PNG.
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

  @Test
  void loadsAPageRunsItsScriptAndAClickReachesTheServer() throws Exception {
    LinkedBlockingQueue<String> posts = new LinkedBlockingQueue<>();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      if ("POST".equals(exchange.getRequestMethod())) {
        posts.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        exchange.sendResponseHeaders(204, -1);
      } else {
        byte[] body = PAGE.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
      }
      exchange.close();
    });
    server.start();
    try (HeadlessChromium browser = HeadlessChromium.start(800, 600)) {
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
}
