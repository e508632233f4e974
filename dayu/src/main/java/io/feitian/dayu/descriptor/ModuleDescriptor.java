package io.feitian.dayu.descriptor;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a release package says about itself in its {@code dayu-module.conf}: the module, the roles
 * whose nodes run it, what it needs, and how a node deploys, upgrades, configures, runs, checks
 * and removes it. Built by {@link DescriptorParser}; see docs/DAYU.md for the format.
 */
public record ModuleDescriptor(
    String name,
    Version version,
    Set<String> roles,
    List<Dependency> dependencies,
    Map<String, Parameter> parameters,
    List<Step> deploy,
    List<Step> upgrade,
    List<Step> remove,
    List<Template> templates,
    HealthCheck healthCheck,
    RunSpec run) {

  public ModuleDescriptor {
    roles = Set.copyOf(roles);
    dependencies = List.copyOf(dependencies);
    parameters = Map.copyOf(parameters);
    deploy = List.copyOf(deploy);
    upgrade = List.copyOf(upgrade);
    remove = List.copyOf(remove);
    templates = List.copyOf(templates);
  }

  /** "name version", how messages name one module version. */
  public String id() {
    return name + " " + version;
  }
}
