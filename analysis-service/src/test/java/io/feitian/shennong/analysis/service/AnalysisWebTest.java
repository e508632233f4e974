package io.feitian.shennong.analysis.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.testkit.HeadlessChromium;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * analysis-service's page in headless Chromium, against the daemons of {@link AnalysisClusterFixture}
 * writing constant values: the charts come to hold the cluster's sums and the table the test's
 * nodes with their values; the screenshot goes to target/ (docs/SHENNONG.md says how it becomes the docs' picture). Then the JSON
 * endpoints' refusals: bad parameters (400 naming them), a standby (503 naming the leader), no
 * token when tokens are on (401).
 */
class AnalysisWebTest extends AnalysisClusterFixture {
  /**
   * The page as this run saw it (the test runs in analysis-service/): under target/, so that a run leaves the work
   * tree as it was; docs/images/analysis-page.png is refreshed from it by hand (docs/SHENNONG.md).
   */
  private static final Path SCREENSHOT = Path.of("target", "analysis-page.png");
  private static final Map<String, Object> HTTP_ON = Map.of("shennong.analysis.http.port", 0);
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  /** The largest value the page's chart {@code chart} holds in its series {@code series} (1: the first total). */
  private static final String CHART_MAX = "const d = window.analysisPage && window.analysisPage.charts[arguments[0]].data;"
      + "if (!d || d[0].length < 3) return null;"
      + "return Math.max(...d[arguments[1]].filter(v => v !== null));";

  @Test
  void thePageChartsTheTotalsAndListsTheTopNodes() throws Exception {
    AnalysisService s = startAnalysis("a1", HTTP_ON);
    leader();
    writeSamples();
    settledStep(s);
    try (HeadlessChromium browser = HeadlessChromium.start(1320, 900)) {
      browser.driver().get("http://127.0.0.1:" + s.httpPort() + "/");
      WebDriverWait wait = new WebDriverWait(browser.driver(), Duration.ofSeconds(60));
      wait.withMessage(() -> "the page says: " + browser.driver().findElement(By.id("status")).getText());
      // The hand sums of samplesOf: cpu.cores.used 6 of 14, memory 6000 bytes, disk read 35/s, 7 instances.
      wait.until(d -> Double.valueOf(6).equals(number(browser.driver().executeScript(CHART_MAX, "cpu", 1)))
          && Double.valueOf(14).equals(number(browser.driver().executeScript(CHART_MAX, "cpu", 2)))
          && Double.valueOf(6000).equals(number(browser.driver().executeScript(CHART_MAX, "memory", 1)))
          && Double.valueOf(35).equals(number(browser.driver().executeScript(CHART_MAX, "disk", 1)))
          && Double.valueOf(7).equals(number(browser.driver().executeScript(CHART_MAX, "work", 3))));
      wait.until(d -> d.findElements(By.cssSelector("#top tbody tr")).size() == 3);
      List<WebElement> rows = browser.driver().findElements(By.cssSelector("#top tbody tr"));
      assertThat(rows).extracting(r -> r.getAttribute("data-node")).containsExactly("n1", "n2", "n3");
      assertThat(value(rows.get(0), "memory.used.bytes")).isEqualTo("1000");
      assertThat(value(rows.get(1), "cpu.cores")).isEqualTo("8");
      assertThat(value(rows.get(2), "memory.used.bytes")).isEqualTo("3000");
      assertThat(rows.get(2).getText()).contains("n3", "2.9 KiB");
      assertThat(browser.driver().findElement(By.id("status")).getText()).isEmpty();
      Path png = browser.screenshot(SCREENSHOT);
      byte[] pngSignature = {(byte) 0x89, 'P', 'N', 'G'};
      assertThat(Arrays.copyOf(Files.readAllBytes(png), 4)).isEqualTo(pngSignature);
    }
  }

  private static Double number(Object fromScript) {
    return fromScript instanceof Number n ? n.doubleValue() : null;
  }

  private static String value(WebElement row, String total) {
    return row.findElement(By.cssSelector("td[data-total='" + total + "']")).getAttribute("data-value");
  }

  private HttpResponse<String> get(AnalysisService s, String path, String token) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.httpPort() + path))
        .timeout(Duration.ofSeconds(20));
    if (token != null) {
      r.header("Authorization", "Bearer " + token);
    }
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theJsonRefusesBadParametersNamingThemAndAStandbyNamesTheLeader() throws Exception {
    AnalysisService first = startAnalysis("a1", HTTP_ON);
    AnalysisService leading = leader();
    AnalysisService standby = startAnalysis("a2", HTTP_ON);
    assertThat(leading).isSameAs(first);

    assertThat(get(leading, "/api/top", null).statusCode()).isEqualTo(200);
    assertThat(get(leading, "/api/totals?seconds=30", null).body()).contains("\"stepMs\":\"1000\"");
    Map<String, String> bad = Map.of(
        "/api/top?limit=ten", "limit must be a whole number, got \"ten\"",
        "/api/top?limit=-1", "limit must be at least 0",
        "/api/top?sort=colour", "sort: total \"colour\" is unknown",
        "/api/top?grouping=planet", "grouping:",
        "/api/totals?seconds=0", "seconds must be at least 1",
        "/api/totals?step=500", "step: 500 ms is finer");
    for (Map.Entry<String, String> e : bad.entrySet()) {
      HttpResponse<String> r = get(leading, e.getKey(), null);
      assertThat(r.statusCode()).as(e.getKey()).isEqualTo(400);
      assertThat(r.body()).as(e.getKey()).contains(e.getValue());
    }
    assertThat(get(leading, "/api/nothing", null).statusCode()).isEqualTo(404);

    HttpResponse<String> fromStandby = get(standby, "/api/top", null);
    assertThat(fromStandby.statusCode()).isEqualTo(503);
    assertThat(fromStandby.body()).contains("leader=" + leading.address());
  }

  @Test
  void withTokensOnTheJsonNeedsAReadersTokenAndThePageDoesNot() throws Exception {
    Path tokens = Files.writeString(dir.resolve("tokens"), "page-reader-token-1 reader web\nthe-daemons-token-1 admin daemons\n");
    AnalysisService s = startAnalysis("a1", Map.of("shennong.analysis.http.port", 0,
        "feitian.security.auth.enabled", true, "feitian.security.auth.tokens-file", tokens.toString(),
        "feitian.security.token", "the-daemons-token-1"));
    leader();
    HttpResponse<String> none = get(s, "/api/top", null);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"feitian\"");
    assertThat(get(s, "/api/totals", "not-a-token-at-all").statusCode()).isEqualTo(401);
    assertThat(get(s, "/api/top", "page-reader-token-1").statusCode()).isEqualTo(200);
    HttpResponse<String> page = get(s, "/", null);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<script src=\"uplot.js\">");
    assertThat(get(s, "/uplot.js", null).body()).contains("uPlot");
  }
}
