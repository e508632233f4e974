package io.feitian.dayu.agent;

import io.feitian.dayu.agent.node.Drainer;
import io.feitian.dayu.agent.node.HealthChecker;
import io.feitian.dayu.agent.node.NodeIdentity;
import io.feitian.dayu.agent.node.NodeLayout;
import io.feitian.dayu.agent.node.NodeTask;
import io.feitian.dayu.agent.node.PackageSource;
import io.feitian.dayu.agent.node.ProcessControl;
import io.feitian.dayu.agent.node.StepResult;
import io.feitian.dayu.agent.node.StepRunner;
import io.feitian.dayu.descriptor.DescriptorParser;
import io.feitian.dayu.descriptor.ModuleDescriptor;
import io.feitian.dayu.descriptor.Step;
import io.feitian.dayu.descriptor.StepKind;
import io.feitian.dayu.launcher.LauncherFiles;
import io.feitian.proto.dayu.v1.ModuleWork;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The work dayu-server sends, run by the node side ({@link StepRunner}): each piece of work becomes
 * a {@link NodeTask} from the descriptor it carries. What is installed is what the modules'
 * {@code current} links point at.
 */
final class ModuleSteps implements NodeSteps {
  private final NodeLayout layout;
  private final PackageSource packages;
  private final ProcessControl processes;
  private final Drainer drainer;
  private final HealthChecker health = new HealthChecker();
  private final Map<String, ModuleDescriptor> descriptors = new ConcurrentHashMap<>();
  /** Present when dayu-agent-launcher runs this agent, which can then upgrade itself. */
  private final Optional<SelfUpgrade> self;
  private volatile StepRunner runner;

  /**
   * @param drainer the {@code drain} step: through fuxi-master for modules that name a Fuxi cluster
   * @param self the agent's own upgrades, when the launcher runs it
   */
  ModuleSteps(Path root, PackageSource packages, ProcessControl processes, Drainer drainer,
      Optional<SelfUpgrade> self) {
    this.layout = new NodeLayout(root.toAbsolutePath());
    this.packages = packages;
    this.processes = processes;
    this.drainer = drainer;
    this.self = self;
  }

  /** The steps' {@code node.*} placeholders come from the node as dayu-server knows it. */
  @Override
  public void registered(String host, String rack) {
    packages.registered(host, rack);
    runner = new StepRunner(layout.root(), new NodeIdentity(host, host, rack), packages, processes, health,
        drainer, Clock.systemUTC());
  }

  @Override
  public Map<String, String> installed() {
    Map<String, String> out = new TreeMap<>();
    Path modules = layout.root().resolve("modules");
    if (!Files.isDirectory(modules)) {
      return out;
    }
    try (Stream<Path> dirs = Files.list(modules)) {
      for (Path dir : (Iterable<Path>) dirs::iterator) {
        String module = dir.getFileName().toString();
        Path current = layout.current(module);
        if (Files.isSymbolicLink(current) && Files.isDirectory(current)) {
          out.put(module, Files.readSymbolicLink(current).getFileName().toString());
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot read the installed modules under " + modules, e);
    }
    // The agent's own module is the version this process is (its current link may name a version
    // the launcher reverted); the base version is no published version of the module.
    self.ifPresent(s -> {
      out.remove(LauncherFiles.MODULE);
      if (!s.version().isEmpty()) {
        out.put(LauncherFiles.MODULE, s.version());
      }
    });
    return out;
  }

  @Override
  public int done(ModuleWork work) {
    try {
      return runner().resume(task(work));
    } catch (IOException | IllegalArgumentException e) {
      return 0;
    }
  }

  @Override
  public Outcome run(ModuleWork work, int step) throws InterruptedException {
    NodeTask task;
    try {
      task = task(work);
    } catch (IllegalArgumentException e) {
      return new Outcome(false, "cannot run this work: " + e.getMessage());
    }
    if (task.steps().size() != work.getStepsCount()) {
      return new Outcome(false, "the server sent " + work.getStepsCount() + " steps, the descriptor lists "
          + task.steps().size());
    }
    if (LauncherFiles.MODULE.equals(task.module())) {
      if (self.isEmpty()) {
        return new Outcome(false, "this dayu-agent was not started by dayu-agent-launcher, so it cannot switch "
            + "its own version (docs/DAYU.md, \"Self-upgrade of dayu-agent\")");
      }
      Step s = task.steps().get(step);
      Optional<Outcome> own = self.get().step(s.kind(), task.purpose() == NodeTask.Purpose.REMOVE,
          work.getToVersion(), work.getRolloutId(),
          Duration.ofMillis(s.kind() == StepKind.HEALTH_CHECK ? s.millis("timeout") : 0));
      if (own.isPresent()) {
        return own.get();
      }
    }
    StepResult r = runner().run(task, step);
    return new Outcome(r.ok(), r.detail());
  }

  private StepRunner runner() {
    StepRunner r = runner;
    if (r == null) {
      throw new IllegalStateException("the node is not registered yet");
    }
    return r;
  }

  private NodeTask task(ModuleWork w) {
    ModuleDescriptor d = descriptors.computeIfAbsent(w.getDescriptorText(),
        text -> DescriptorParser.parse(text, w.getModule() + "/" + DescriptorParser.FILE_NAME));
    return new NodeTask(d, NodeTask.Purpose.valueOf(w.getPurpose()), w.getFromVersion(), w.getToVersion(),
        w.getSha256(), w.getSizeBytes(), w.getParamsMap());
  }
}
