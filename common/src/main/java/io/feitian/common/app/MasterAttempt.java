package io.feitian.common.app;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.OptionalInt;

/**
 * Which start of an application's master a process is. fuxi-master numbers
 * the masters it starts (the application's restart count) and passes the
 * number in {@link #ENV}. A master whose node was declared lost may still be
 * running when its successor starts; fuxi-master then refuses the older one's
 * attach as {@link #superseded}, and that master must exit without acting on
 * the application (no release, no final report, no deleting of state).
 */
public final class MasterAttempt {
  public static final String ENV = "FEITIAN_MASTER_ATTEMPT";
  /** The worker name every application master runs under on its node (task-workers report it as a master). */
  public static final String WORKER_NAME = "app-master";
  private static final String SUPERSEDED = "superseded: ";

  private MasterAttempt() {}

  /** This process's attempt, if fuxi-master started it. */
  public static OptionalInt fromEnvironment() {
    String v = System.getenv(ENV);
    if (v == null || v.isBlank()) {
      return OptionalInt.empty();
    }
    try {
      return OptionalInt.of(Integer.parseInt(v.trim()));
    } catch (NumberFormatException e) {
      return OptionalInt.empty();
    }
  }

  /** The refusal of an attach from a master that a newer one replaced. */
  public static StatusRuntimeException superseded(String appId, int attempt, int current) {
    return Status.FAILED_PRECONDITION.withDescription(SUPERSEDED + "master attempt " + attempt + " of " + appId
        + " was replaced by attempt " + current + "; it must exit").asRuntimeException();
  }

  /** Whether a status refuses a master for having been replaced. */
  public static boolean isSuperseded(Status s) {
    return s.getCode() == Status.Code.FAILED_PRECONDITION && s.getDescription() != null
        && s.getDescription().startsWith(SUPERSEDED);
  }
}
