package io.feitian.service.spec;

import io.feitian.common.app.FieldChecks;
import io.feitian.common.grpc.Echo;
import io.feitian.service.partition.PartitionTable;
import io.feitian.proto.service.v1.PartitionsSpec;
import io.feitian.proto.service.v1.RoleSpec;
import io.feitian.proto.service.v1.ServiceSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks a service description before anything starts; every error is an
 * IllegalArgumentException whose message starts with the offending field
 * (under a prefix such as "spec.description.").
 */
public final class ServiceSpecValidator {
  static final Pattern SERVICE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  static final Pattern ROLE_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  public static final int MAX_WORKERS = 10_000;
  /** The whole table is one znode (atomic changes, one watch for clients): about 100 bytes a partition. */
  public static final int MAX_PARTITIONS = 4_096;

  private final FieldChecks checks;

  public ServiceSpecValidator(String prefix) {
    this.checks = new FieldChecks(prefix);
  }

  private IllegalArgumentException bad(String field, String problem) {
    return checks.bad(field, problem);
  }

  public void validate(ServiceSpec spec) {
    checks.matches("name", spec.getName(), SERVICE_NAME);
    if (spec.getPriority() < 0) {
      throw bad("priority", "must be >= 0, got " + spec.getPriority());
    }
    if (!spec.getQuotaGroup().isEmpty()) {
      checks.matches("quota_group", spec.getQuotaGroup(), SERVICE_NAME);
    }
    if (spec.getRolesCount() == 0) {
      throw bad("roles", "must list at least one role");
    }
    Map<String, Integer> roles = new HashMap<>();
    for (int i = 0; i < spec.getRolesCount(); i++) {
      RoleSpec r = spec.getRoles(i);
      String f = "roles[" + i + "]";
      checks.matches(f + ".name", r.getName(), ROLE_NAME);
      if (roles.putIfAbsent(r.getName(), i) != null) {
        throw bad(f + ".name", "'" + r.getName() + "' is already the name of roles[" + roles.get(r.getName()) + "]");
      }
      checkRole(f, r);
    }
    if (spec.getPartitionedRole().isEmpty()) {
      if (spec.hasPartitions()) {
        throw bad("partitions", "needs a partitioned_role to own them");
      }
      return;
    }
    if (!roles.containsKey(spec.getPartitionedRole())) {
      throw bad("partitioned_role", "'" + spec.getPartitionedRole() + "' is not a role of the service");
    }
    checkPartitions(spec.getPartitions());
  }

  private void checkRole(String f, RoleSpec r) {
    if (r.getWorkers() < 1 || r.getWorkers() > MAX_WORKERS) {
      throw bad(f + ".workers", "must be between 1 and " + MAX_WORKERS + ", got " + r.getWorkers());
    }
    checks.workerResources(f + ".resources", r.hasResources(), r.getResources());
    if (r.getArgvCount() > 0 == r.hasJava()) {
      throw bad(f, "must give its program as either argv or java, not " + (r.hasJava() ? "both" : "neither"));
    }
    if (r.hasJava()) {
      // A java role's workers are thread programs (ServiceWorkerMain in a worker JVM); argv roles are not.
      checks.threadProgramMemory(f + ".resources.memory_mib", r.getResources().getMemoryMib());
      if (r.getJava().getWorkerClass().isBlank()) {
        throw bad(f + ".java.worker_class", "must name the class implementing io.feitian.service.worker.ServiceWorker");
      }
      if (r.getJava().getJarsCount() == 0) {
        throw bad(f + ".java.jars", "must list the jars holding " + r.getJava().getWorkerClass());
      }
    } else if (r.getArgv(0).isBlank()) {
      throw bad(f + ".argv", "must name a program");
    }
    checks.envNames(f + ".env", r.getEnvMap().keySet());
    if (r.getPlacement().getMaxPerNode() < 0 || r.getPlacement().getMaxPerRack() < 0) {
      throw bad(f + ".placement", "limits must be >= 0 (0: none)");
    }
  }

  private void checkPartitions(PartitionsSpec p) {
    switch (p.getInitialCase()) {
      case COUNT -> {
        if (p.getCount() < 1 || p.getCount() > MAX_PARTITIONS) {
          throw bad("partitions.count", "must be between 1 and " + MAX_PARTITIONS + ", got " + p.getCount());
        }
      }
      case BOUNDARIES -> {
        List<String> keys = p.getBoundaries().getKeysList();
        if (keys.size() + 1 > MAX_PARTITIONS) {
          throw bad("partitions.boundaries.keys", "make more than " + MAX_PARTITIONS + " partitions");
        }
        for (int i = 0; i < keys.size(); i++) {
          String f = "partitions.boundaries.keys[" + i + "]";
          if (keys.get(i).isEmpty()) {
            throw bad(f, "must not be empty (the key space starts there)");
          }
          checks.maxBytes(f, keys.get(i), PartitionTable.MAX_KEY_BYTES);
          if (i > 0 && keys.get(i - 1).compareTo(keys.get(i)) >= 0) {
            throw bad(f, Echo.quote(keys.get(i)) + " must sort after " + Echo.quote(keys.get(i - 1)));
          }
        }
      }
      default -> throw bad("partitions", "must give a count or boundaries");
    }
    if (p.getReassignDelayMs() < 0) {
      throw bad("partitions.reassign_delay_ms", "must be >= 0, got " + p.getReassignDelayMs());
    }
    if (p.getMaxConcurrentMoves() < 0) {
      throw bad("partitions.max_concurrent_moves", "must be >= 0, got " + p.getMaxConcurrentMoves());
    }
  }
}
