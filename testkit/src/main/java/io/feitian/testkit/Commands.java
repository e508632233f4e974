package io.feitian.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Commands that testkit runs to their end (installers, server control tools). */
final class Commands {
  private Commands() {}

  /**
   * Runs {@code cmd} until it ends, at most {@code timeout}; a failure or a timeout is an
   * {@link IllegalStateException} that carries the command's output. The output goes through a
   * file, not a pipe: a command that starts a server (pg_ctl start) leaves the server holding
   * its output, and a pipe would never close.
   */
  static void run(List<String> cmd, Duration timeout) {
    try {
      Path out = Files.createTempFile("feitian-cmd", ".out");
      try {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
        Process p = pb.start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          p.destroyForcibly();
          throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s: " + cmd);
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
