package io.feitian.dayu.launcher;

import io.feitian.common.files.SafeFiles;
import io.feitian.dayu.launcher.LauncherState.Failure;
import io.feitian.dayu.launcher.LauncherState.Trial;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * The files through which dayu-agent-launcher and the agent it runs talk, in {@code ROOT/launcher/}
 * (ROOT is {@code dayu.agent.root}). Each is written to a temporary file and renamed, so a reader
 * sees the old content or the new.
 * <pre>
 *   state       the launcher's {@link LauncherState} (the launcher writes, the agent reads)
 *   switch      "run this version next": version and rollout (the agent writes, the launcher takes and deletes)
 *   confirmed   the launch id of an agent that registered and passed its checks (the agent writes)
 *   agent.pid   the agent the launcher runs, so that a launcher restarted after a crash stops it
 * </pre>
 */
public record LauncherFiles(Path dir) {
  /** The module name of the agent itself, whose versions live in {@code ROOT/modules/dayu-agent/}. */
  public static final String MODULE = "dayu-agent";

  /** The launcher's directory under the agent's root. */
  public static LauncherFiles under(Path agentRoot) {
    return new LauncherFiles(agentRoot.resolve("launcher"));
  }

  /** A switch request. */
  public record Switch(String version, long rollout) {}

  public LauncherState state() throws IOException {
    Optional<Properties> p = read(dir.resolve("state"));
    if (p.isEmpty()) {
      return LauncherState.INITIAL;
    }
    Properties s = p.get();
    Optional<Trial> trial = s.containsKey("trial.version")
        ? Optional.of(new Trial(s.getProperty("trial.version"), number(s, "trial.rollout"))) : Optional.empty();
    Optional<Failure> failure = s.containsKey("failed.version")
        ? Optional.of(new Failure(s.getProperty("failed.version"), number(s, "failed.rollout"),
            s.getProperty("failed.reason", ""))) : Optional.empty();
    return new LauncherState(s.getProperty("confirmed", LauncherState.BASE), trial, failure);
  }

  public void save(LauncherState state) throws IOException {
    Properties p = new Properties();
    p.setProperty("confirmed", state.confirmed());
    state.trial().ifPresent(t -> {
      p.setProperty("trial.version", t.version());
      p.setProperty("trial.rollout", Long.toString(t.rollout()));
    });
    state.failure().ifPresent(f -> {
      p.setProperty("failed.version", f.version());
      p.setProperty("failed.rollout", Long.toString(f.rollout()));
      p.setProperty("failed.reason", f.reason());
    });
    write(dir.resolve("state"), p, "dayu-agent-launcher: the confirmed agent version, a trial, the last failed trial");
  }

  public void requestSwitch(Switch request) throws IOException {
    Properties p = new Properties();
    p.setProperty("version", request.version());
    p.setProperty("rollout", Long.toString(request.rollout()));
    write(dir.resolve("switch"), p, "dayu-agent: please run this version next");
  }

  /** The pending switch request, if any. */
  public Optional<Switch> switchRequest() throws IOException {
    return read(dir.resolve("switch")).map(p -> new Switch(p.getProperty("version", ""), number(p, "rollout")));
  }

  /** Takes the pending switch request: read and deleted. */
  public Optional<Switch> takeSwitchRequest() throws IOException {
    Optional<Switch> s = switchRequest();
    Files.deleteIfExists(dir.resolve("switch"));
    return s;
  }

  public void confirm(long launchId) throws IOException {
    Files.createDirectories(dir);
    SafeFiles.writeAtomically(dir.resolve("confirmed"), Long.toString(launchId) + "\n");
  }

  /** The launch id the last confirmation names, if any. */
  public Optional<Long> confirmation() throws IOException {
    try {
      return Optional.of(Long.parseLong(Files.readString(dir.resolve("confirmed")).trim()));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.of(-1L);
    }
  }

  public void clearConfirmation() throws IOException {
    Files.deleteIfExists(dir.resolve("confirmed"));
  }

  public Path agentPid() {
    return dir.resolve("agent.pid");
  }

  private static long number(Properties p, String key) {
    try {
      return Long.parseLong(p.getProperty(key, "0"));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static Optional<Properties> read(Path file) throws IOException {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    Properties p = new Properties();
    p.load(new StringReader(text));
    return Optional.of(p);
  }

  private void write(Path file, Properties p, String comment) throws IOException {
    Files.createDirectories(dir);
    StringWriter text = new StringWriter();
    try {
      p.store(text, comment);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    SafeFiles.writeAtomically(file, text.toString());
  }
}
