package io.feitian.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Installs the Debian packages a test needs when they are missing, so that the test command
 * passes on a fresh machine by itself: tests never skip for want of a package. Installing needs
 * root (the project's machines and CI run as root); otherwise the error names the command to run.
 */
public final class DebianPackages {
  /** Chromium is about 500 MB to fetch and unpack. */
  private static final long INSTALL_TIMEOUT_MINUTES = 20;

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
    run(List.of("apt-get", "update", "-q"));
    List<String> cmd = new ArrayList<>(List.of("apt-get", "install", "-y", "-q", "--no-install-recommends"));
    cmd.addAll(List.of(packages));
    run(cmd);
    if (!Files.isExecutable(probe)) {
      throw new IllegalStateException(install + " succeeded but " + probe + " is still missing");
    }
  }

  private static void run(List<String> cmd) {
    try {
      Path out = Files.createTempFile("feitian-apt", ".out");
      try {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
        Process p = pb.start();
        if (!p.waitFor(INSTALL_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
          p.destroyForcibly();
          throw new IllegalStateException("timed out after " + INSTALL_TIMEOUT_MINUTES + " min: " + cmd);
        }
        if (p.exitValue() != 0) {
          throw new IllegalStateException("exit " + p.exitValue() + ": " + cmd + "\n" + Files.readString(out));
        }
      } finally {
        Files.deleteIfExists(out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + cmd, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + cmd, e);
    }
  }
}
