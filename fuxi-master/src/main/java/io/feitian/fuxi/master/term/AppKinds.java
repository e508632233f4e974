package io.feitian.fuxi.master.term;

import io.feitian.common.app.AppKind;
import io.feitian.common.grpc.Echo;
import io.feitian.common.resource.ResourceProtos;
import io.feitian.common.resource.ResourceVector;
import io.feitian.proto.fuxi.v1.AppSpec;
import io.feitian.proto.fuxi.v1.LaunchSpec;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.Predicate;

/** The application kinds this fuxi-master knows, found on its classpath. */
public final class AppKinds {
  /** Descriptions live in the application's ZooKeeper record, whose limit is 1 MiB. */
  static final int MAX_DESCRIPTION_BYTES = 256 * 1024;

  private final Map<String, AppKind> byName = new TreeMap<>();

  private AppKinds(Iterable<AppKind> kinds) {
    for (AppKind k : kinds) {
      if (byName.putIfAbsent(k.name(), k) != null) {
        throw new IllegalStateException("two application kinds are named '" + k.name() + "'");
      }
    }
  }

  public static AppKinds discover() {
    return new AppKinds(ServiceLoader.load(AppKind.class));
  }

  public static AppKinds of(AppKind... kinds) {
    return new AppKinds(List.of(kinds));
  }

  public List<String> names() {
    return List.copyOf(byName.keySet());
  }

  /**
   * Checks the kind and its description (including that some node could hold
   * every shape it will ask for, as {@code fits} says), and fills in the
   * master program and resources the kind supplies where the submitter left
   * them unset.
   */
  AppSpec complete(AppSpec spec, Predicate<ResourceVector> fits) {
    if (spec.getDescription().size() > MAX_DESCRIPTION_BYTES) {
      throw new IllegalArgumentException("spec.description is " + spec.getDescription().size()
          + " bytes; at most " + MAX_DESCRIPTION_BYTES + " are allowed");
    }
    if (spec.getKind().isEmpty()) {
      return spec;
    }
    AppKind kind = byName.get(spec.getKind());
    if (kind == null) {
      throw new IllegalArgumentException("spec.kind " + Echo.quote(spec.getKind()) + " is not known to this cluster (known: "
          + String.join(", ", byName.keySet()) + ")");
    }
    AppKind.Checked checked = kind.check("spec.description", spec.getDescription());
    checked.applicationName().filter(name -> !name.equals(spec.getName())).ifPresent(name -> {
      throw new IllegalArgumentException("spec.name " + Echo.quote(spec.getName()) + " differs from spec.description.name "
          + Echo.quote(name) + "; they must be the same");
    });
    checked.shapes().forEach((field, shape) -> {
      ResourceVector v = ResourceProtos.fromProto(field, shape);
      if (!fits.test(v)) {
        throw new IllegalArgumentException(field + " " + v + " exceeds the largest node of the cluster");
      }
    });
    AppSpec.Builder b = spec.toBuilder();
    if (spec.getMaster().getProgramCase() == LaunchSpec.ProgramCase.PROGRAM_NOT_SET) {
      b.setMaster(kind.master());
    }
    if (!spec.hasMasterResources()) {
      b.setMasterResources(kind.masterResources());
    }
    return b.build();
  }
}
