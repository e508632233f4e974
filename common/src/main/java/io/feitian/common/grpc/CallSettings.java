package io.feitian.common.grpc;

import io.feitian.common.security.BearerToken;
import io.grpc.stub.AbstractStub;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * How this process makes calls: the credentials it presents and the deadline
 * of unary calls. Every unary call goes through {@link #unary}, so none is
 * made without a deadline.
 */
public record CallSettings(Optional<BearerToken> credentials, Duration deadline) {

  public CallSettings {
    if (deadline.isNegative() || deadline.isZero()) {
      throw new IllegalArgumentException("deadline must be positive, got " + deadline);
    }
  }

  /** The stub with credentials and a fresh deadline: call it right away. */
  public <S extends AbstractStub<S>> S unary(S stub) {
    return streaming(stub).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The stub with credentials and no deadline, for long-lived streams. */
  public <S extends AbstractStub<S>> S streaming(S stub) {
    return credentials.isPresent() ? stub.withCallCredentials(credentials.get()) : stub;
  }
}
