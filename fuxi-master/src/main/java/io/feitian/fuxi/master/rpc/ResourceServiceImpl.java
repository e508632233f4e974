package io.feitian.fuxi.master.rpc;

import io.feitian.common.app.FieldChecks;
import io.feitian.common.grpc.Echo;
import io.feitian.fuxi.master.term.LeaderTerm;
import io.feitian.proto.fuxi.v1.AppMasterMessage;
import io.feitian.proto.fuxi.v1.ResourceServiceGrpc;
import io.feitian.proto.fuxi.v1.SchedulingEvent;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;

/**
 * Application masters' scheduling streams. Every message is handled on the
 * term's loop, in arrival order; the first failure ends the stream with its
 * status and later messages are ignored.
 */
public final class ResourceServiceImpl extends ResourceServiceGrpc.ResourceServiceImplBase {
  private final CurrentTerm current;

  public ResourceServiceImpl(CurrentTerm current) {
    this.current = current;
  }

  @Override
  public StreamObserver<AppMasterMessage> schedule(StreamObserver<SchedulingEvent> events) {
    final LeaderTerm term;
    try {
      term = current.require();
    } catch (RuntimeException e) {
      events.onError(Errors.toStatus(e).asRuntimeException());
      return new Ignore<>();
    }
    return new StreamObserver<>() {
      // Both fields are read and written on the term's loop only.
      private String appId;
      private boolean ended;

      @Override
      public void onNext(AppMasterMessage msg) {
        term.call(() -> {
          if (!ended) {
            handle(msg);
          }
          return null;
        }).whenComplete((ok, error) -> {
          if (error != null && !ended) {
            ended = true;
            if (appId != null) {
              term.apps().streamEnded(appId, events);
            }
            try {
              events.onError(Errors.toStatus(error).asRuntimeException());
            } catch (RuntimeException ignored) {
              // already closed
            }
          }
        });
      }

      private void handle(AppMasterMessage msg) {
        if (appId == null) {
          if (msg.getKindCase() != AppMasterMessage.KindCase.ATTACH) {
            throw new IllegalArgumentException("the first message of a Schedule stream must be attach, got "
                + msg.getKindCase());
          }
          term.apps().attach(msg.getAttach(), events);
          appId = msg.getAttach().getAppId();
          return;
        }
        switch (msg.getKindCase()) {
          case REQUEST -> term.apps().request(appId, msg.getRequest());
          case RETURN_GRANTS -> term.apps().returnGrants(appId, msg.getReturnGrants());
          case REPORT_BAD_NODE -> term.apps().reportBadNode(appId, msg.getReportBadNode());
          case UNREGISTER -> {
            // A master's last word is kept, not refused: long diagnostics are cut (they go into its record).
            String diagnostics = msg.getUnregister().getDiagnostics();
            term.apps().unregister(appId, msg.getUnregister().toBuilder()
                .setDiagnostics(Echo.cut(diagnostics, FieldChecks.MAX_TEXT_BYTES)).build());
            ended = true;
            events.onCompleted();
          }
          case ATTACH -> throw new IllegalArgumentException("attach may only be the first message of a stream");
          default -> throw new IllegalArgumentException("message has no kind set");
        }
      }

      @Override
      public void onError(Throwable t) {
        finish(false);
      }

      @Override
      public void onCompleted() {
        finish(true);
      }

      private void finish(boolean complete) {
        term.call(() -> {
          if (appId != null) {
            term.apps().streamEnded(appId, events);
          }
          if (!ended) {
            ended = true;
            if (complete) {
              events.onError(Status.CANCELLED.withDescription("master closed its stream without unregistering")
                  .asRuntimeException());
            }
          }
          return null;
        });
      }
    };
  }
}
