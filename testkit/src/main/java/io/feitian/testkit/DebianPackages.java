package io.feitian.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Installs the Debian packages a test needs when they are missing, so that the test command
 * passes on a fresh machine by itself: tests never skip for want of a package. Installing needs
 * root (the project's machines and CI run as root); otherwise the error names the command to run.
 */
public final class DebianPackages {
  /** Chromium is about 500 MB to fetch and unpack. */
  private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(20);

  private DebianPackages() {}

  /** Returns once {@code probe} is an executable file, installing {@code packages} if it is not. */
  public static synchronized void ensure(Path probe, String... packages) {
    if (Files.isExecutable(probe)) {
      return;
    }
    String install = "apt-get install -y " + String.join(" ", packages);
    if (!"root".equals(System.getProperty("user.name"))) {
      throw new IllegalStateException(probe + " is missing; install it with: " + install);
    }
    Commands.run(List.of("apt-get", "update", "-q"), INSTALL_TIMEOUT);
    List<String> cmd = new ArrayList<>(List.of("apt-get", "install", "-y", "-q", "--no-install-recommends"));
    cmd.addAll(List.of(packages));
    Commands.run(cmd, INSTALL_TIMEOUT);
    if (!Files.isExecutable(probe)) {
      throw new IllegalStateException(install + " succeeded but " + probe + " is still missing");
    }
  }
}
