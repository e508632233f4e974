package io.feitian.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's Chromium, headless, driven through Selenium and Debian's {@code chromedriver} (the
 * two packages' versions match; test tools cannot download browsers here). Both are installed
 * through {@link DebianPackages} when missing. Each instance has a fresh profile directory,
 * deleted by {@link #close()}.
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

  private final Path profile;
  private final ChromeDriverService service;
  private final ChromeDriver driver;

  private HeadlessChromium(Path profile, ChromeDriverService service, ChromeDriver driver) {
    this.profile = profile;
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
    DebianPackages.ensure(BROWSER, "chromium");
    DebianPackages.ensure(DRIVER, "chromium-driver");
    Path profile;
    try {
      profile = Files.createTempDirectory("feitian-chromium");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make a profile directory", e);
    }
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort().build();
    ChromeOptions options = new ChromeOptions().setBinary(BROWSER.toFile()).addArguments(
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--user-data-dir=" + profile, "--window-size=" + width + "," + height);
    try {
      ChromeDriver driver = new ChromeDriver(service, options);
      driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30)).scriptTimeout(Duration.ofSeconds(30));
      return new HeadlessChromium(profile, service, driver);
    } catch (RuntimeException e) {
      service.stop();
      TempDirs.deleteTree(profile);
      throw e;
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
      TempDirs.deleteTree(profile);
    }
  }

}
