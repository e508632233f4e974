package io.feitian.common.grpc;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The edge of every server, in two rules:
 * <ul>
 *   <li>Request bytes that do not parse as the method's message are the
 *       client's mistake: INVALID_ARGUMENT naming the method. (grpc-java parses
 *       before any service code runs and answers UNKNOWN.) This needs the
 *       service's messages left unparsed ({@link ServerInterceptors#useInputStreamMessages}),
 *       so that parsing happens inside this listener. The service then sees the
 *       call cancelled, as if the client had gone.
 *   <li>No status description is longer than {@link Echo#MAX_DESCRIPTION_CHARS}:
 *       it travels in a header, which a client refuses above 8 KiB.
 * </ul>
 */
final class RequestGuard implements ServerInterceptor {
  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
      ServerCallHandler<ReqT, RespT> next) {
    GuardedCall<ReqT, RespT> guarded = new GuardedCall<>(call);
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(guarded, headers)) {
      private boolean refused;

      @Override
      public void onMessage(ReqT message) {
        if (refused) {
          return;
        }
        try {
          super.onMessage(message);
        } catch (StatusRuntimeException e) {
          if (!(e.getCause() instanceof InvalidProtocolBufferException bad)) {
            throw e;
          }
          refused = true;
          guarded.close(Status.INVALID_ARGUMENT.withDescription("malformed request to "
              + call.getMethodDescriptor().getFullMethodName() + ": " + bad.getMessage()), new Metadata());
          super.onCancel();
        }
      }

      @Override
      public void onHalfClose() {
        unlessRefused(super::onHalfClose);
      }

      @Override
      public void onCancel() {
        unlessRefused(super::onCancel);
      }

      @Override
      public void onComplete() {
        unlessRefused(super::onComplete);
      }

      @Override
      public void onReady() {
        unlessRefused(super::onReady);
      }

      /** After a refusal the service has seen its cancellation: nothing more reaches it. */
      private void unlessRefused(Runnable event) {
        if (!refused) {
          event.run();
        }
      }
    };
  }

  /** Closed once (what the service sends after a refusal is dropped), with a short description. */
  private static final class GuardedCall<ReqT, RespT> extends ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT> {
    private final AtomicBoolean closed = new AtomicBoolean();

    GuardedCall(ServerCall<ReqT, RespT> call) {
      super(call);
    }

    @Override
    public void sendMessage(RespT message) {
      if (!closed.get()) {
        super.sendMessage(message);
      }
    }

    @Override
    public void close(Status status, Metadata trailers) {
      if (!closed.compareAndSet(false, true)) {
        return;
      }
      String d = status.getDescription();
      super.close(d == null || d.length() <= Echo.MAX_DESCRIPTION_CHARS ? status
          : status.withDescription(Echo.cut(d, Echo.MAX_DESCRIPTION_CHARS) + "…"), trailers);
    }
  }
}
