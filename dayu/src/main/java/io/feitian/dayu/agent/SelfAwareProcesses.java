package io.feitian.dayu.agent;

import io.feitian.dayu.agent.node.ProcessControl;
import io.feitian.dayu.launcher.LauncherFiles;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * The node's process control, except that module {@value LauncherFiles#MODULE} runs as this very
 * process when the launcher started an upgraded version: so the {@code install} step's pruning never
 * deletes the agent version that runs (the one the launcher goes back to if the next fails).
 */
final class SelfAwareProcesses implements ProcessControl {
  private final ProcessControl delegate;
  private final String version;

  /** @param version this agent's version label; "" (the base version) is not in the module's directory */
  SelfAwareProcesses(ProcessControl delegate, String version) {
    this.delegate = delegate;
    this.version = version;
  }

  @Override
  public Optional<Running> running(String module) throws IOException, InterruptedException {
    if (module.equals(LauncherFiles.MODULE) && !version.isEmpty()) {
      return Optional.of(new Running(ProcessHandle.current().pid(), version));
    }
    return delegate.running(module);
  }

  @Override
  public String start(Launch launch, Duration grace) throws IOException, InterruptedException {
    return delegate.start(launch, grace);
  }

  @Override
  public Optional<Running> stop(String module, Duration grace) throws IOException, InterruptedException {
    return delegate.stop(module, grace);
  }

  @Override
  public void forget(String module) throws IOException, InterruptedException {
    delegate.forget(module);
  }

  @Override
  public String errorTail(String module) throws IOException, InterruptedException {
    return delegate.errorTail(module);
  }
}
