package io.feitian.dayu.rollout;

import io.feitian.dayu.descriptor.ModuleDescriptor;
import io.feitian.dayu.descriptor.Step;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The published module versions a rollout may use: where the steps of each node's task come from. */
public final class Catalog {
  private final Map<String, ModuleDescriptor> byId = new HashMap<>();

  public Catalog(Collection<ModuleDescriptor> published) {
    published.forEach(d -> byId.put(d.name() + " " + d.version(), d));
  }

  public ModuleDescriptor get(String module, String version) {
    ModuleDescriptor d = byId.get(module + " " + version);
    if (d == null) {
      throw new IllegalArgumentException(module + " " + version + " is not published (no descriptor)");
    }
    return d;
  }

  /** The steps that take a node's {@code module} from version {@code from} to {@code to} ("" = not installed). */
  public List<Step> steps(String module, String from, String to) {
    if (to.isEmpty()) {
      return get(module, from).remove();
    }
    return from.isEmpty() ? get(module, to).deploy() : get(module, to).upgrade();
  }
}
