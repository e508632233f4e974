package io.feitian.dayu.agent.node;

import io.feitian.common.files.SafeFiles;
import io.feitian.dayu.descriptor.HealthCheck;
import io.feitian.dayu.descriptor.ModuleDescriptor;
import io.feitian.dayu.descriptor.ParamType;
import io.feitian.dayu.descriptor.Placeholders;
import io.feitian.dayu.descriptor.Step;
import io.feitian.dayu.descriptor.StepKind;
import io.feitian.dayu.descriptor.Template;
import io.feitian.dayu.agent.node.ProcessControl.Launch;
import io.feitian.dayu.agent.node.ProcessControl.Running;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the steps of a {@link NodeTask} on this node, one at a time: the agent calls
 * {@link #run} for each step from {@link #resume}'s answer on, and reports every result.
 *
 * <p>Every step is idempotent: run again after it succeeded it finds its work done and changes
 * nothing (a fetched package is not fetched again, an installed version not unpacked again, a
 * rendered file not rewritten, a running process of the version not restarted). So a step cut
 * short by a crash is simply run again. Each success is recorded in the task's {@link Journal};
 * {@link #resume} returns the first step not recorded, so a restarted agent goes on where it
 * stopped. See docs/DAYU.md, "dayu-agent: the node side".
 *
 * <p>Not thread-safe for one module: the agent runs one task per module at a time (dayu-server
 * never sends two).
 */
public final class StepRunner {
  private static final Logger log = LoggerFactory.getLogger(StepRunner.class);
  /** The grace of a stop the steps do not name: start replacing another version, remove's last step. */
  private static final Duration DEFAULT_GRACE = Duration.ofMillis(ParamType.parseMillis(StepKind.STOP.defaults().get("grace")));
  /** The longest single health-check attempt; the step retries until its own timeout. */
  private static final Duration MAX_ATTEMPT = Duration.ofSeconds(10);
  private static final Duration MIN_ATTEMPT = Duration.ofMillis(100);
  private static final long START_POLL_MILLIS = 20;

  private final NodeLayout layout;
  private final NodeIdentity node;
  private final PackageSource packages;
  private final ProcessControl processes;
  private final HealthChecker health;
  private final Drainer drainer;
  private final Clock clock;
  private final Installer installer;
  private final Journal journal;

  public StepRunner(Path root, NodeIdentity node, PackageSource packages, ProcessControl processes, HealthChecker health,
      Drainer drainer, Clock clock) {
    this.layout = new NodeLayout(root.toAbsolutePath());
    this.node = node;
    this.packages = packages;
    this.processes = processes;
    this.health = health;
    this.drainer = drainer;
    this.clock = clock;
    this.installer = new Installer(layout);
    this.journal = new Journal(layout);
  }

  /** The index of the task's first step not done according to its journal; the number of steps when all are. */
  public int resume(NodeTask task) throws IOException {
    Set<Integer> done = journal.done(task);
    int i = 0;
    while (i < task.steps().size() && done.contains(i)) {
      i++;
    }
    return i;
  }

  /**
   * Runs step {@code stepIndex} of the task and, when it succeeds, records it in the journal. A
   * removal's last step also stops whatever still runs and deletes the module's files. Failures
   * are results, never exceptions; IllegalArgumentException only for an index outside the steps.
   *
   * @throws InterruptedException when the agent is shutting down; the step neither succeeded nor failed
   */
  public StepResult run(NodeTask task, int stepIndex) throws InterruptedException {
    List<Step> steps = task.steps();
    if (stepIndex < 0 || stepIndex >= steps.size()) {
      throw new IllegalArgumentException("stepIndex " + stepIndex + " is not one of the " + steps.size()
          + " steps of " + task);
    }
    Step step = steps.get(stepIndex);
    long started = clock.millis();
    StepResult result;
    try {
      String detail = perform(task, step);
      if (task.purpose() == NodeTask.Purpose.REMOVE && stepIndex == steps.size() - 1) {
        detail += "; " + removeModule(task);
      }
      journal.markDone(task, stepIndex);
      result = StepResult.ok(detail, elapsed(started));
    } catch (StepFailed e) {
      result = StepResult.failed(e.getMessage(), elapsed(started));
    } catch (IOException | RuntimeException e) {
      result = StepResult.failed(step.kind().word() + " failed: " + describe(e), elapsed(started));
    }
    log.info("{} step {} {}: {} {} ({} ms)", task, stepIndex, step.kind().word(), result.ok() ? "ok" : "FAILED",
        result.detail(), result.duration().toMillis());
    return result;
  }

  private String perform(NodeTask task, Step step) throws IOException, InterruptedException {
    return switch (step.kind()) {
      case FETCH -> fetch(task, Duration.ofMillis(step.millis("timeout")));
      case VERIFY -> verify(task);
      case STOP -> stop(task.module(), Duration.ofMillis(step.millis("grace")));
      case INSTALL -> installer.install(task.module(), task.version(), (int) step.number("keep"),
          processes.running(task.module()).map(r -> Set.of(r.version())).orElse(Set.of()));
      case CONFIGURE -> configure(task);
      case START -> start(task, Duration.ofMillis(step.millis("timeout")));
      case HEALTH_CHECK -> healthCheck(task, Duration.ofMillis(step.millis("timeout")),
          Duration.ofMillis(step.millis("interval")));
      case DRAIN -> drain(task, Duration.ofMillis(step.millis("timeout")));
    };
  }

  private String fetch(NodeTask task, Duration timeout) throws IOException, InterruptedException {
    Path file = layout.packageFile(task.module(), task.version());
    if (Files.isRegularFile(file) && Files.size(file) == task.size() && SafeFiles.sha256(file).equals(task.sha256())) {
      return "already fetched, " + task.size() + " bytes";
    }
    Files.createDirectories(file.getParent());
    Path part = file.resolveSibling(file.getFileName() + ".part");
    Files.deleteIfExists(part);
    try {
      packages.fetch(task.module(), task.version(), part, timeout);
      long size = Files.size(part);
      if (size != task.size()) {
        throw new StepFailed("fetched " + size + " bytes, but the package has " + task.size());
      }
    } catch (IOException | StepFailed e) {
      Files.deleteIfExists(part);
      throw e instanceof StepFailed f ? f : new StepFailed("cannot fetch the package: " + describe(e));
    }
    Files.move(part, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    return "fetched " + task.size() + " bytes";
  }

  private String verify(NodeTask task) throws IOException {
    Path file = layout.packageFile(task.module(), task.version());
    if (!Files.isRegularFile(file)) {
      throw new StepFailed("no package " + file + " to verify (fetch first)");
    }
    String actual = SafeFiles.sha256(file);
    if (!actual.equals(task.sha256())) {
      Files.delete(file);
      throw new StepFailed("sha256 mismatch: expected " + task.sha256() + ", got " + actual
          + "; the package was deleted");
    }
    return "sha256 " + actual + " as published";
  }

  private String stop(String module, Duration grace) throws IOException, InterruptedException {
    return processes.stop(module, grace).map(r -> "stopped " + r.version() + " (pid " + r.pid() + ")")
        .orElse("not running");
  }

  private String configure(NodeTask task) throws IOException {
    Path home = installedHome(task);
    List<Template> templates = task.descriptor().templates();
    Map<String, String> values = values(task);
    int written = 0;
    for (Template t : templates) {
      Path file = home.resolve(t.path()).normalize();
      if (!file.startsWith(home)) {
        throw new StepFailed("template path " + t.path() + " leaves the module's directory");
      }
      if (NodeFiles.writeIfChanged(file, t.render(values))) {
        written++;
      }
    }
    return templates.isEmpty() ? "no templates"
        : "wrote " + written + " of " + templates.size() + " files" + (written == 0 ? " (all up to date)" : "");
  }

  private String start(NodeTask task, Duration timeout) throws IOException, InterruptedException {
    Path home = installedHome(task);
    Map<String, String> values = values(task);
    ModuleDescriptor d = task.descriptor();
    Map<String, String> env = new LinkedHashMap<>();
    d.run().environment().forEach((k, v) -> env.put(k, Placeholders.render(v, values)));
    Launch launch = new Launch(task.module(), task.version(), home,
        d.run().command().stream().map(arg -> Placeholders.render(arg, values)).toList(), env, d.run().systemdUnit());
    String did;
    try {
      did = processes.start(launch, DEFAULT_GRACE);
    } catch (IOException e) {
      throw new StepFailed("cannot start " + task.descriptor().id() + ": " + e.getMessage() + errorTail(task.module()));
    }
    // systemd (and a slow fork) may need a moment before the process shows.
    long deadline = clock.millis() + timeout.toMillis();
    while (!runs(task)) {
      if (clock.millis() >= deadline) {
        throw new StepFailed(did + ", but it is not running" + errorTail(task.module()));
      }
      Thread.sleep(START_POLL_MILLIS);
    }
    return did;
  }

  private boolean runs(NodeTask task) throws IOException, InterruptedException {
    return processes.running(task.module()).filter(r -> r.version().equals(task.version())).isPresent();
  }

  private String healthCheck(NodeTask task, Duration timeout, Duration interval) throws IOException, InterruptedException {
    HealthCheck check = rendered(task.descriptor().healthCheck(), values(task));
    long deadline = clock.millis() + timeout.toMillis();
    for (int attempt = 1; ; attempt++) {
      long left = deadline - clock.millis();
      HealthChecker.Result r = health.check(check,
          Duration.ofMillis(Math.min(MAX_ATTEMPT.toMillis(), Math.max(MIN_ATTEMPT.toMillis(), left))));
      if (r.healthy()) {
        return r.detail() + (attempt > 1 ? " (attempt " + attempt + ")" : "");
      }
      if (processes.running(task.module()).isEmpty()) {
        throw new StepFailed("not healthy, and the process is not running: " + r.detail() + errorTail(task.module()));
      }
      long now = clock.millis();
      if (now >= deadline) {
        throw new StepFailed("not healthy after " + timeout.toMillis() + " ms (" + attempt + " attempts): "
            + r.detail());
      }
      Thread.sleep(Math.min(interval.toMillis(), deadline - now));
    }
  }

  private String drain(NodeTask task, Duration timeout) {
    try {
      return drainer.drain(task.module(), values(task), timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StepFailed("drain interrupted");
    } catch (Exception e) {
      throw new StepFailed("cannot drain: " + describe(e));
    }
  }

  /** After a removal's last step: nothing of the module stays (a remove list without stop still stops it). */
  private String removeModule(NodeTask task) throws IOException, InterruptedException {
    Optional<Running> stopped = processes.stop(task.module(), DEFAULT_GRACE);
    processes.forget(task.module());
    installer.uninstall(task.module());
    return stopped.map(r -> "stopped pid " + r.pid() + ", ").orElse("") + "removed " + layout.moduleDir(task.module());
  }

  private Path installedHome(NodeTask task) {
    Path home = layout.versionDir(task.module(), task.version());
    if (!Files.isDirectory(home)) {
      throw new StepFailed(task.descriptor().id() + " is not installed (install first)");
    }
    return home;
  }

  /** Every placeholder's value: the task's parameters and the built-ins. */
  private Map<String, String> values(NodeTask task) {
    Map<String, String> values = new HashMap<>(task.parameters());
    values.putAll(node.placeholders());
    values.put("module.name", task.module());
    values.put("module.version", task.version());
    values.put("module.home", layout.versionDir(task.module(), task.version()).toString());
    return values;
  }

  private static HealthCheck rendered(HealthCheck check, Map<String, String> values) {
    if (check instanceof HealthCheck.Command c) {
      return new HealthCheck.Command(c.command().stream().map(a -> Placeholders.render(a, values)).toList());
    } else if (check instanceof HealthCheck.Http h) {
      return new HealthCheck.Http(Placeholders.render(h.url(), values), h.expectStatus());
    } else if (check instanceof HealthCheck.Grpc g) {
      return new HealthCheck.Grpc(Placeholders.render(g.address(), values), g.service());
    }
    return check;
  }

  private String errorTail(String module) {
    try {
      String tail = processes.errorTail(module);
      return tail.isEmpty() ? "" : "; its error output ends: " + tail;
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  private Duration elapsed(long started) {
    return Duration.ofMillis(Math.max(0, clock.millis() - started));
  }

  /** The message, with the exception's kind where the message alone would not say what went wrong. */
  private static String describe(Exception e) {
    String message = e.getMessage() == null ? "" : e.getMessage();
    boolean plain = e.getClass() == IOException.class || e.getClass() == IllegalArgumentException.class
        || e.getClass() == IllegalStateException.class;
    return plain && !message.isEmpty() ? message : e.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
  }

  /** A step that failed for a reason its message says in full. */
  private static final class StepFailed extends RuntimeException {
    StepFailed(String message) {
      super(message);
    }
  }
}
