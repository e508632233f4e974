package io.feitian.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's Chromium, headless, driven through Selenium and Debian's {@code chromedriver} (the
 * two packages' versions match; test tools cannot download browsers here). Both are installed
 * through {@link DebianPackages} when missing. Each instance has a fresh profile directory and
 * {@code $HOME}, deleted by {@link #close()}; {@link #window} starts one that trusts a CA and
 * presents a client certificate, as an operator's browser on a cluster with TLS.
 *
 * <p>Modules that use it declare {@code selenium-chrome-driver} as a test dependency: testkit
 * holds it as optional so that the other modules' tests do not carry Selenium.
 */
public final class HeadlessChromium implements AutoCloseable {
  public static final Path BROWSER = Path.of("/usr/bin/chromium");
  public static final Path DRIVER = Path.of("/usr/bin/chromedriver");
  /**
   * Selenium warns at every browser start that it has no DevTools (CDP) binding matching Debian's
   * Chromium; these tests drive the browser through WebDriver only and use no DevTools. Held here
   * because java.util.logging keeps its loggers weakly.
   */
  private static final List<Logger> NO_CDP_WARNINGS = quiet(
      "org.openqa.selenium.devtools.CdpVersionFinder", "org.openqa.selenium.chromium.ChromiumDriver");

  /** The profile, the {@code $HOME} and its certificates. */
  private final Path dir;
  private final ChromeDriverService service;
  private final ChromeDriver driver;

  private HeadlessChromium(Path dir, ChromeDriverService service, ChromeDriver driver) {
    this.dir = dir;
    this.service = service;
    this.driver = driver;
  }

  private static List<Logger> quiet(String... names) {
    List<Logger> loggers = new ArrayList<>();
    for (String name : names) {
      Logger logger = Logger.getLogger(name);
      logger.setLevel(Level.SEVERE);
      loggers.add(logger);
    }
    return loggers;
  }

  /** Starts a browser with a {@code width} x {@code height} window (a few seconds). */
  public static HeadlessChromium start(int width, int height) {
    return window(width, height).start();
  }

  /** A browser with a {@code width} x {@code height} window, to be given certificates before it starts. */
  public static Options window(int width, int height) {
    return new Options(width, height);
  }

  /**
   * What a browser starts with. Without certificates it presents none, and trusts only what
   * Chromium trusts by itself: its {@code $HOME} is a fresh directory, so no certificate of the
   * machine's user reaches it.
   */
  public static final class Options {
    private final int width;
    private final int height;
    private Path caPem;
    private Path certPem;
    private Path keyPem;

    private Options(int width, int height) {
      this.width = width;
      this.height = height;
    }

    /** Trusts the CA whose certificate is the PEM file {@code caPem} for HTTPS servers, as an operator imports it. */
    public Options trusting(Path caPem) {
      this.caPem = caPem;
      return this;
    }

    /**
     * Presents the certificate {@code certPem} (PEM; its key {@code keyPem} unencrypted PKCS#8 PEM)
     * to every server that asks for one, without the dialog a person would pick it in.
     */
    public Options withClientCertificate(Path certPem, Path keyPem) {
      this.certPem = certPem;
      this.keyPem = keyPem;
      return this;
    }

    /** Starts the browser (a few seconds). */
    public HeadlessChromium start() {
      DebianPackages.ensure(BROWSER, "chromium");
      DebianPackages.ensure(DRIVER, "chromium-driver");
      Path dir;
      try {
        dir = Files.createTempDirectory("feitian-chromium");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot make a profile directory", e);
      }
      ChromeDriverService service = null;
      try {
        Path profile = Files.createDirectory(dir.resolve("profile"));
        Path home = Files.createDirectory(dir.resolve("home"));
        if (caPem != null || certPem != null) {
          String database = BrowserCertificates.database(home);
          if (caPem != null) {
            BrowserCertificates.trust(database, caPem);
          }
          if (certPem != null) {
            BrowserCertificates.present(database, profile, certPem, keyPem);
          }
        }
        // Chromium on Linux reads its certificates from $HOME/.pki/nssdb; chromedriver passes its environment on.
        service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort()
            .withEnvironment(Map.of("HOME", home.toString())).build();
        ChromeOptions options = new ChromeOptions().setBinary(BROWSER.toFile()).addArguments(
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--user-data-dir=" + profile, "--window-size=" + width + "," + height,
            // Tests serve on loopback: nothing else is looked up or reached (Chromium's own services
            // would ask the machine's resolver for Google's and the search engine's hosts).
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1, EXCLUDE [::1]");
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30)).scriptTimeout(Duration.ofSeconds(30));
        return new HeadlessChromium(dir, service, driver);
      } catch (IOException e) {
        TempDirs.deleteTree(dir);
        throw new UncheckedIOException("cannot make the browser's directories in " + dir, e);
      } catch (RuntimeException e) {
        if (service != null) {
          service.stop();
        }
        TempDirs.deleteTree(dir);
        throw e;
      }
    }
  }

  public ChromeDriver driver() {
    return driver;
  }

  /** Saves what the window shows as a PNG at {@code file} (its directories created) and returns it. */
  public Path screenshot(Path file) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      return Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      service.stop();
      TempDirs.deleteTree(dir);
    }
  }

}
