package io.feitian.job.worker;

import io.feitian.job.api.Record;
import io.feitian.proto.job.v1.PipelineInput;
import io.feitian.proto.job.v1.ProcessMode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Runs an attempt as a child process (process mode, docs/JOBS.md): the main
 * input as lines on stdin, every stdout line a record, stderr into the log,
 * side inputs as files named by FEITIAN_INPUT_&lt;TASK&gt;, the task's config as
 * FEITIAN_CONF_&lt;KEY&gt;. A non-zero exit status fails the attempt.
 */
final class ProcessAttempt {
  private final ProcessMode program;
  private final Map<String, String> config;
  private final Inputs inputs;
  private final AttemptOutput output;
  private final AttemptLog log;
  private final Path scratch;
  private final Map<String, String> identity;

  /** {@code identity}: FEITIAN_* variables naming the job, task, instance and attempt. */
  ProcessAttempt(ProcessMode program, Map<String, String> config, Inputs inputs, AttemptOutput output, AttemptLog log,
      Path scratch, Map<String, String> identity) {
    this.program = program;
    this.config = config;
    this.inputs = inputs;
    this.output = output;
    this.log = log;
    this.scratch = scratch;
    this.identity = identity;
  }

  static String envName(String prefix, String name) {
    return prefix + name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  void run(java.util.function.Consumer<Process> started) throws IOException, InterruptedException {
    Files.createDirectories(scratch);
    ProcessBuilder pb = new ProcessBuilder(program.getArgvList()).directory(scratch.toFile());
    Map<String, String> env = pb.environment();
    env.putAll(program.getEnvMap());
    env.putAll(identity);
    config.forEach((k, v) -> env.put(envName("FEITIAN_CONF_", k), v));
    List<PipelineInput> main = inputs.mainPipelines();
    for (String upstream : inputs.upstreamTasks()) {
      if (main.stream().noneMatch(p -> p.getFromTask().equals(upstream))) {
        env.put(envName("FEITIAN_INPUT_", upstream), sideInputFile(upstream).toString());
      }
    }
    Process p = pb.start();
    started.accept(p);
    try {
      CompletableFuture<Void> feeding = CompletableFuture.runAsync(() -> feed(p), ProcessAttempt::ownThread);
      CompletableFuture<Void> logging = CompletableFuture.runAsync(() -> drainStderr(p), ProcessAttempt::ownThread);
      try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null) {
          output.write(Record.ofLine(line));
        }
      }
      int status = p.waitFor();
      join(feeding);
      join(logging);
      if (status != 0) {
        throw new IOException(program.getArgv(0) + " exited with status " + status);
      }
    } finally {
      // Cancelled or failed: the program's own children go too, not just the program.
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
  }

  /** Writes one upstream task's records to a file, a line each, for the program to open. */
  private Path sideInputFile(String upstream) throws IOException {
    Path file = scratch.resolve("input-" + upstream + ".txt");
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (Record r : inputs.of(upstream)) {
        w.write(r.toLine());
        w.write('\n');
      }
    }
    return file;
  }

  private void feed(Process p) {
    try (BufferedWriter in = new BufferedWriter(new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8))) {
      for (Record r : inputs.main()) {
        in.write(r.toLine());
        in.write('\n');
      }
    } catch (IOException e) {
      // The program closed its stdin early (it need not read everything), or died: its exit status tells.
      log.line("[feitian] stdin closed early: " + e.getMessage());
    }
  }

  private void drainStderr(Process p) {
    try (BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = err.readLine()) != null) {
        log.line(line);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Pipes block: each gets a thread of its own rather than one of a shared pool. */
  private static void ownThread(Runnable r) {
    Thread t = new Thread(r, "process-attempt-io");
    t.setDaemon(true);
    t.start();
  }

  private static void join(CompletableFuture<Void> f) throws IOException, InterruptedException {
    try {
      f.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() instanceof UncheckedIOException u ? u.getCause() : e.getCause();
      throw cause instanceof IOException io ? io : new IOException(cause);
    }
  }
}
