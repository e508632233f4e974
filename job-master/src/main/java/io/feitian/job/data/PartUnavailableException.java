package io.feitian.job.data;

import java.io.IOException;

/**
 * A committed part could not be read from its node (gone, unreachable after
 * retries, or its bytes no longer match what was committed). Not the
 * reader's fault: the job-master regenerates the part instead of counting a
 * failure against the reading instance or its machine.
 */
public final class PartUnavailableException extends IOException {
  private final String nodeAddress;

  PartUnavailableException(String message, String nodeAddress, Throwable cause) {
    super(message, cause);
    this.nodeAddress = nodeAddress;
  }

  /** The task-worker that served (or should have served) the part. */
  public String nodeAddress() {
    return nodeAddress;
  }
}
