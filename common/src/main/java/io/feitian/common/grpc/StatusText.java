package io.feitian.common.grpc;

import io.grpc.Status;

/**
 * A status on one line, for logs and messages. {@code Status.toString()}
 * carries its cause's whole stack trace, so a master retrying a dead peer
 * would log a page per attempt.
 */
public final class StatusText {
  private StatusText() {}

  /** E.g. {@code UNAVAILABLE: io exception (Connection refused: /127.0.0.1:7100)}. */
  public static String brief(Status s) {
    StringBuilder b = new StringBuilder(s.getCode().name());
    String description = s.getDescription();
    if (description != null) {
      b.append(": ").append(description);
    }
    Throwable cause = s.getCause();
    if (cause != null && cause.getMessage() != null
        && (description == null || !description.contains(cause.getMessage()))) {
      b.append(" (").append(cause.getMessage()).append(')');
    }
    return b.toString();
  }
}
