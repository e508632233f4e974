package io.feitian.dayu.agent.node;

import io.feitian.dayu.descriptor.ModuleDescriptor;
import io.feitian.dayu.descriptor.Parameter;
import io.feitian.dayu.descriptor.Step;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What a node must do with one module: deploy it, upgrade it or remove it, running the steps its
 * descriptor lists for that purpose. The descriptor is the one of the version the steps act on:
 * {@code toVersion}'s for a deploy or an upgrade, {@code fromVersion}'s for a removal.
 *
 * <p>Refused at construction (IllegalArgumentException naming the field): versions that do not
 * fit the purpose or the descriptor, a malformed checksum, a parameter the descriptor does not
 * declare or of the wrong type, and (except for a removal) a required parameter left unset.
 *
 * @param fromVersion the version installed before ("" = none)
 * @param toVersion the version installed after ("" = none)
 * @param sha256 the package's published SHA-256, 64 lowercase hex digits ("" for a removal)
 * @param size the package's size in bytes (0 for a removal)
 * @param parameters the module's parameter values for this node, as the configuration database
 *     resolves them (node, role, module); descriptor defaults fill the others
 */
public record NodeTask(
    ModuleDescriptor descriptor,
    Purpose purpose,
    String fromVersion,
    String toVersion,
    String sha256,
    long size,
    Map<String, String> parameters) {
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  public enum Purpose {
    /** Install a module the node does not have: the descriptor's {@code deploy} steps. */
    DEPLOY,
    /** Replace the installed version: the {@code upgrade} steps of the new version. */
    UPGRADE,
    /** Take the module off the node: the {@code remove} steps; the last one also deletes its files. */
    REMOVE
  }

  public NodeTask {
    Objects.requireNonNull(descriptor, "descriptor");
    Objects.requireNonNull(purpose, "purpose");
    String version = descriptor.version().toString();
    switch (purpose) {
      case DEPLOY -> {
        require(fromVersion.isEmpty(), "fromVersion must be empty for a deploy, got \"" + fromVersion + "\"");
        require(toVersion.equals(version), "toVersion " + toVersion + " is not the descriptor's " + descriptor.id());
      }
      case UPGRADE -> {
        require(!fromVersion.isEmpty() && !fromVersion.equals(toVersion),
            "fromVersion must name the installed version, other than toVersion, got \"" + fromVersion + "\"");
        require(toVersion.equals(version), "toVersion " + toVersion + " is not the descriptor's " + descriptor.id());
      }
      case REMOVE -> {
        require(toVersion.isEmpty(), "toVersion must be empty for a removal, got \"" + toVersion + "\"");
        require(fromVersion.equals(version), "fromVersion " + fromVersion + " is not the descriptor's " + descriptor.id());
      }
    }
    require(purpose == Purpose.REMOVE || SHA256.matcher(sha256).matches(),
        "sha256 must be 64 lowercase hex digits, got \"" + sha256 + "\"");
    require(size >= 0, "size must not be negative, got " + size);
    parameters = checked(descriptor, purpose, parameters);
  }

  private static Map<String, String> checked(ModuleDescriptor d, Purpose purpose, Map<String, String> given) {
    Map<String, String> out = new TreeMap<>();
    given.forEach((name, value) -> {
      Parameter p = d.parameters().get(name);
      require(p != null, "parameters." + name + " is not a parameter of " + d.id());
      try {
        out.put(name, p.type().normalize(value));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("parameters." + name + " " + e.getMessage(), e);
      }
    });
    for (Parameter p : d.parameters().values()) {
      if (!out.containsKey(p.name()) && p.defaultValue().isPresent()) {
        out.put(p.name(), p.defaultValue().get());
      }
      // A removal renders nothing it could need a value for; a value deleted since must not block it.
      require(purpose == Purpose.REMOVE || out.containsKey(p.name()),
          "parameters." + p.name() + " is required by " + d.id() + " (no default) and not set");
    }
    return Map.copyOf(out);
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }

  public String module() {
    return descriptor.name();
  }

  /** The version the steps act on: the one installed by a deploy or upgrade, or removed. */
  public String version() {
    return descriptor.version().toString();
  }

  /** The descriptor's steps for this purpose. */
  public List<Step> steps() {
    return switch (purpose) {
      case DEPLOY -> descriptor.deploy();
      case UPGRADE -> descriptor.upgrade();
      case REMOVE -> descriptor.remove();
    };
  }

  /** "deploy task-worker 0.2.0", how messages name the task. */
  @Override
  public String toString() {
    return purpose.name().toLowerCase(java.util.Locale.ROOT) + " " + descriptor.id()
        + (purpose == Purpose.UPGRADE ? " from " + fromVersion : "");
  }
}
