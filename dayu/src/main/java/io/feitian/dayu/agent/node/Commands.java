package io.feitian.dayu.agent.node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a short command to its end (tar, kill, systemctl, a health-check command) and keeps the end of its output. */
final class Commands {
  /** Output kept for messages: the end, where errors are. */
  private static final int KEPT = 2_000;

  /**
   * @param exitCode the command's exit status; -1 when it timed out (and was killed)
   * @param output the last characters of its standard output and error, merged and stripped
   */
  record Outcome(int exitCode, String output) {
    boolean ok() {
      return exitCode == 0;
    }

    /** "exit 2: tar: not in gzip format", for failure messages. */
    String describe() {
      String what = exitCode < 0 ? "timed out" : "exit " + exitCode;
      return output.isEmpty() ? what : what + ": " + output;
    }
  }

  private Commands() {}

  static Outcome run(List<String> command, Duration timeout) throws IOException, InterruptedException {
    // Output goes to a file rather than a pipe: nothing has to read it while the command runs.
    Path out = Files.createTempFile("dayu-command", ".out");
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .redirectOutput(out.toFile()).start();
      int exit;
      if (p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        exit = p.exitValue();
      } else {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly().waitFor();
        exit = -1;
      }
      String text = new String(Files.readAllBytes(out), StandardCharsets.UTF_8).strip();
      return new Outcome(exit, text.length() > KEPT ? "..." + text.substring(text.length() - KEPT) : text);
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
