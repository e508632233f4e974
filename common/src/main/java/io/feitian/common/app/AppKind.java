package io.feitian.common.app;

import com.google.protobuf.ByteString;
import io.feitian.proto.common.v1.Resources;
import io.feitian.proto.fuxi.v1.LaunchSpec;
import java.util.Map;
import java.util.Optional;

/**
 * A kind of application fuxi-master knows (a job, a service): it checks the
 * application's description before anything is stored or started, and names
 * the master program that runs it. Implementations are found with
 * {@link java.util.ServiceLoader} on fuxi-master's classpath, so fuxi-master
 * does not depend on the modules that define them.
 */
public interface AppKind {
  /** The value of {@code AppSpec.kind} this handles, e.g. "job". */
  String name();

  /**
   * Checks a description; a bad one throws IllegalArgumentException whose
   * message starts with {@code field} (e.g. "spec.description.tasks[2].name ...").
   */
  void validate(String field, ByteString description);

  /**
   * The resource shapes the application will ask for, by field name (e.g.
   * "spec.description.tasks[0].resources"), of a description that passed
   * {@link #validate}: fuxi-master refuses one that no node could hold.
   */
  default Map<String, Resources> shapes(String field, ByteString description) {
    return Map.of();
  }

  /**
   * The name a description that passed {@link #validate} gives the
   * application (a job's or a service's name), if it has one: fuxi-master
   * refuses an AppSpec.name that differs.
   */
  default Optional<String> applicationName(ByteString description) {
    return Optional.empty();
  }

  /** The master program, used when the submitter leaves AppSpec.master unset. */
  LaunchSpec master();

  /** The master's resources, used when the submitter leaves them unset. */
  Resources masterResources();
}
