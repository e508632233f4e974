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
   * What fuxi-master needs of a description that passed its kind's checks.
   *
   * @param applicationName the name the description gives the application (a
   *     job's or a service's name), if it has one: fuxi-master refuses an
   *     AppSpec.name that differs
   * @param shapes the resource shapes the application will ask for, by field
   *     name (e.g. "spec.description.tasks[0].resources"): fuxi-master
   *     refuses one that no node could hold
   */
  record Checked(Optional<String> applicationName, Map<String, Resources> shapes) {
    public Checked {
      shapes = Map.copyOf(shapes);
    }
  }

  /**
   * Parses and checks a description, once, where it is accepted; a bad one
   * throws IllegalArgumentException whose message starts with {@code field}
   * (e.g. "spec.description.tasks[2].name ..."). The application's master
   * then reads the stored description back as typed data without checking
   * it again.
   */
  Checked check(String field, ByteString description);

  /** The master program, used when the submitter leaves AppSpec.master unset. */
  LaunchSpec master();

  /** The master's resources, used when the submitter leaves them unset. */
  Resources masterResources();
}
