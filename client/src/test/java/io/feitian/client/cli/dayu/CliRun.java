package io.feitian.client.cli.dayu;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.client.cli.FeitianCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** One run of the feitian CLI in this JVM: its exit code and what it printed. */
record CliRun(int exit, String out, String err) {
  static CliRun of(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = FeitianCli.run(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), args);
    return new CliRun(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** {@code feitian dayu ARGS --server SERVER}. */
  static CliRun dayu(String server, String... args) {
    List<String> all = new ArrayList<>(List.of("dayu"));
    all.addAll(List.of(args));
    all.addAll(List.of("--server", server));
    return of(all.toArray(String[]::new));
  }

  /** Asserts the run succeeded (exit code 0, nothing on stderr); returns what it printed. */
  String ok() {
    assertThat(exit).as("exit code; stdout: %s; stderr: %s", out, err).isZero();
    assertThat(err).isEmpty();
    return out;
  }

  /** Asserts the run failed with {@code exit}, printing nothing on stdout and a line starting with {@code errStart}. */
  void fails(int exit, String errStart) {
    assertThat(this.exit).as("exit code; stdout: %s; stderr: %s", out, err).isEqualTo(exit);
    assertThat(err).startsWith(errStart);
    assertThat(out).isEmpty();
  }
}
