package io.feitian.dayu.control;

import io.feitian.dayu.db.ModuleStore;
import io.feitian.dayu.db.ModuleVersion;
import io.feitian.dayu.descriptor.DescriptorParser;
import io.feitian.dayu.descriptor.ModuleDescriptor;
import io.feitian.dayu.rollout.Catalog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The published module versions as the rollout core's {@link Catalog}. A published version never
 * changes, so each descriptor is parsed once and kept.
 */
final class PublishedModules {
  private final ModuleStore modules;
  private final Map<String, ModuleDescriptor> parsed = new HashMap<>();

  PublishedModules(ModuleStore modules) {
    this.modules = modules;
  }

  Catalog catalog() {
    List<ModuleDescriptor> all = new ArrayList<>();
    for (String module : modules.modules()) {
      for (ModuleVersion v : modules.versions(module)) {
        all.add(parsed.computeIfAbsent(module + " " + v.version(),
            id -> DescriptorParser.parse(v.descriptor(), id)));
      }
    }
    return new Catalog(all);
  }

  Optional<ModuleVersion> version(String module, String version) {
    return modules.version(module, version);
  }
}
