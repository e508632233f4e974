package io.feitian.service.cli;

import io.feitian.client.cli.FeitianCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Stream;

/** Runs the feitian CLI in this JVM and keeps what it printed. */
final class Cli {
  /** What one CLI run printed and returned. */
  record Run(int code, String out, String err) {}

  private Cli() {}

  static synchronized Run run(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code = FeitianCli.run(args);
      return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  /** Runs against the fuxi-master at {@code master} (nothing is contacted before a command calls it). */
  static Run against(String master, String... args) {
    return run(Stream.concat(Arrays.stream(args), Stream.of("--cluster", "master://" + master)).toArray(String[]::new));
  }
}
