package io.feitian.taskworker.process;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What to run and on whose behalf. Checked on construction; an invalid request throws
 * {@link IllegalArgumentException} naming the field.
 *
 * @param workerId caller-chosen id, unique on the node; {@code [A-Za-z0-9_.-]{1,128}}, not {@code .}
 *     or {@code ..}. It names the worker's directory.
 * @param appId the application the worker belongs to
 * @param grantId the resource grant the worker runs under
 * @param name a human-readable name
 * @param argv the program and its arguments; the program is looked up in the {@code PATH} of the
 *     worker's environment unless it contains a {@code /}
 * @param env environment variables added to the inherited ones; must not set the variables the
 *     supervisor sets ({@link #RESERVED_ENV})
 * @param memoryLimitMib resident memory limit of the worker's process tree in MiB; 0 for none
 */
public record LaunchRequest(
    String workerId,
    String appId,
    long grantId,
    String name,
    List<String> argv,
    Map<String, String> env,
    long memoryLimitMib) {

  public static final String ENV_WORKER_ID = "FEITIAN_WORKER_ID";
  public static final String ENV_APP_ID = "FEITIAN_APP_ID";
  public static final String ENV_GRANT_ID = "FEITIAN_GRANT_ID";
  public static final String ENV_WORK_DIR = "FEITIAN_WORK_DIR";

  /** Variables the supervisor sets for every worker; a request may not set them. */
  public static final Set<String> RESERVED_ENV =
      Set.of(ENV_WORKER_ID, ENV_APP_ID, ENV_GRANT_ID, ENV_WORK_DIR);

  private static final Pattern WORKER_ID = Pattern.compile("[A-Za-z0-9_.-]{1,128}");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  public LaunchRequest {
    Objects.requireNonNull(workerId, "workerId");
    if (!WORKER_ID.matcher(workerId).matches() || workerId.equals(".") || workerId.equals("..")) {
      throw new IllegalArgumentException(
          "workerId must match [A-Za-z0-9_.-]{1,128} and not be '.' or '..': '" + workerId + "'");
    }
    Objects.requireNonNull(appId, "appId");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(argv, "argv");
    if (argv.isEmpty()) {
      throw new IllegalArgumentException("argv must name a program: it is empty");
    }
    for (int i = 0; i < argv.size(); i++) {
      String arg = argv.get(i);
      if (arg == null || arg.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("argv[" + i + "] is null or contains NUL");
      }
    }
    if (argv.get(0).isEmpty()) {
      throw new IllegalArgumentException("argv[0] must name a program: it is empty");
    }
    argv = List.copyOf(argv);
    Objects.requireNonNull(env, "env");
    Map<String, String> copy = new LinkedHashMap<>();
    env.forEach(
        (key, value) -> {
          if (key == null || !ENV_NAME.matcher(key).matches()) {
            throw new IllegalArgumentException("env name is not a valid variable name: '" + key + "'");
          }
          if (RESERVED_ENV.contains(key)) {
            throw new IllegalArgumentException("env must not set " + key + ": the supervisor sets it");
          }
          if (value == null || value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("env value of " + key + " is null or contains NUL");
          }
          copy.put(key, value);
        });
    env = Map.copyOf(copy);
    if (memoryLimitMib < 0) {
      throw new IllegalArgumentException("memoryLimitMib must be >= 0 (0 = none): " + memoryLimitMib);
    }
  }

  /** A request with no extra environment and no memory limit. */
  public static LaunchRequest of(String workerId, String appId, long grantId, String name, List<String> argv) {
    return new LaunchRequest(workerId, appId, grantId, name, argv, Map.of(), 0);
  }
}
