package io.feitian.common.grpc;

import io.grpc.Status;
import java.nio.channels.ClosedChannelException;

/** What a failed call says about the server: the one test every caller that asks again uses. */
public final class CallFailures {
  private CallFailures() {}

  /**
   * Whether a call failed because the server went away or was not reached, rather than because
   * it refused: UNAVAILABLE, or the connection closing under the call, which grpc-netty reports as
   * UNKNOWN "channel closed" (a {@link ClosedChannelException}) when the server dies while the call
   * is being started. Either way the server may not have seen the call; asking again (it, or the
   * next leader) is the caller's answer.
   */
  public static boolean lostTheServer(Status s) {
    if (s.getCode() == Status.Code.UNAVAILABLE) {
      return true;
    }
    return s.getCode() == Status.Code.UNKNOWN
        && (s.getCause() instanceof ClosedChannelException || "channel closed".equals(s.getDescription()));
  }
}
