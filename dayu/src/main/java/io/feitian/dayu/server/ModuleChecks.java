package io.feitian.dayu.server;

import io.feitian.dayu.db.ConfigDatabase;
import io.feitian.dayu.db.ParamChange;
import io.feitian.dayu.db.ModuleVersion;
import io.feitian.dayu.descriptor.DescriptorParser;
import io.feitian.dayu.descriptor.ModuleDescriptor;
import io.feitian.dayu.descriptor.ModuleGraph;
import io.feitian.dayu.descriptor.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the server checks against descriptors before the stores write: a published descriptor is
 * valid, is the one the request names, and closes no dependency cycle; a parameter is declared by
 * its module and has the declared type. Refusals are IllegalArgumentExceptions starting with the
 * field.
 */
final class ModuleChecks {
  private final ConfigDatabase db;

  ModuleChecks(ConfigDatabase db) {
    this.db = db;
  }

  /**
   * The descriptor parses, names {@code module} at {@code version}, and, with the newest published
   * version of every other module, forms no dependency cycle. (Two versions published at once
   * could still close a cycle between them; the rollout planner refuses cyclic plans anyway.)
   */
  void checkPublishable(String module, String version, String descriptorText) {
    if (descriptorText.isBlank()) {
      throw new IllegalArgumentException("descriptor is required (the text of the package's "
          + DescriptorParser.FILE_NAME + ")");
    }
    ModuleDescriptor descriptor = parse(descriptorText);
    if (!descriptor.name().equals(module) || !descriptor.version().toString().equals(version)) {
      throw new IllegalArgumentException("descriptor describes " + descriptor.id() + ", not " + module + " "
          + version + " as the header says");
    }
    List<ModuleDescriptor> catalog = new ArrayList<>();
    catalog.add(descriptor);
    for (String other : db.modules().modules()) {
      if (!other.equals(module)) {
        newest(other).ifPresent(v -> catalog.add(parse(v.descriptor())));
      }
    }
    try {
      ModuleGraph.checkAcyclic(catalog);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("descriptor " + e.getMessage(), e);
    }
  }

  /**
   * The changes with each value checked against its module's descriptor (the version the cluster
   * runs, else the newest published) and put in the type's canonical form. Changes of a module
   * never published are left to the store, which refuses them naming the field.
   */
  List<ParamChange> checkedChanges(String cluster, List<ParamChange> changes) {
    Map<String, String> running = db.modules().clusterVersions(cluster);
    List<ParamChange> checked = new ArrayList<>();
    for (int i = 0; i < changes.size(); i++) {
      ParamChange c = changes.get(i);
      if (c == null || c.module() == null || c.key() == null || c.value().isEmpty()) {
        checked.add(c);
        continue;
      }
      String field = "changes[" + i + "]";
      Optional<ModuleVersion> version = running.containsKey(c.module())
          ? db.modules().version(c.module(), running.get(c.module()))
          : newest(c.module());
      if (version.isEmpty()) {
        checked.add(c);
        continue;
      }
      ModuleDescriptor descriptor = parse(version.get().descriptor());
      Parameter p = descriptor.parameters().get(c.key());
      if (p == null) {
        throw new IllegalArgumentException(field + ".key " + descriptor.id() + " declares no parameter \""
            + c.key() + "\" (it declares " + descriptor.parameters().keySet().stream().sorted().toList() + ")");
      }
      String value;
      try {
        value = p.type().normalize(c.value().get());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(field + ".value " + e.getMessage(), e);
      }
      checked.add(ParamChange.set(c.module(), c.scope(), c.target(), c.key(), value));
    }
    return checked;
  }

  private Optional<ModuleVersion> newest(String module) {
    return db.modules().versions(module).stream().findFirst();
  }

  static ModuleDescriptor parse(String text) {
    try {
      return DescriptorParser.parse(text, DescriptorParser.FILE_NAME);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("descriptor " + e.getMessage(), e);
    }
  }
}
