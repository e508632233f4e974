package io.feitian.dayu.launcher;

import java.util.Optional;

/**
 * What dayu-agent-launcher keeps on disk ({@code ROOT/launcher/state}): the confirmed agent version,
 * the trial under way, and the last trial that failed. Versions are labels of the {@code dayu-agent}
 * module; {@link #BASE} ("") is the agent of the distribution the launcher itself belongs to.
 *
 * @param confirmed the version started when the launcher starts
 * @param trial a version started but not confirmed yet; present only between the switch and the
 *     confirmation (a launcher that finds one at its start died during the trial)
 * @param failure the last trial that was reverted, kept until the next switch, so that the agent
 *     the launcher went back to can report it
 */
public record LauncherState(String confirmed, Optional<Trial> trial, Optional<Failure> failure) {
  public static final String BASE = "";
  /** A node where the launcher never switched: the distribution's agent. */
  public static final LauncherState INITIAL = new LauncherState(BASE, Optional.empty(), Optional.empty());

  /** A switch to {@code version} asked by the agent running rollout {@code rollout}'s work. */
  public record Trial(String version, long rollout) {}

  /** The trial of {@code version} for {@code rollout} was reverted, for {@code reason}. */
  public record Failure(String version, long rollout, String reason) {}

  /** How people read a version label: the base agent has none. */
  public static String label(String version) {
    return version.isEmpty() ? "the base version" : version;
  }
}
