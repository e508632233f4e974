package io.feitian.client;

import io.feitian.common.lifecycle.EventLoop;
import io.feitian.proto.fuxi.v1.Grant;
import io.feitian.proto.fuxi.v1.RevokeReason;
import io.grpc.Status;
import java.util.List;
import java.util.function.Consumer;

/**
 * The one thread an application master keeps its state on ({@link EventLoop}), with Fuxi's
 * session callbacks handed to it.
 */
public final class MasterLoop extends EventLoop {
  public MasterLoop(String name, Consumer<RuntimeException> onError) {
    super(name, onError);
  }

  /** A session listener whose calls run {@code onLoop}'s methods on this loop. */
  public AppMasterSession.Listener listener(AppMasterSession.Listener onLoop) {
    return new AppMasterSession.Listener() {
      @Override
      public void granted(List<Grant> grants) {
        post(() -> onLoop.granted(grants));
      }

      @Override
      public void revoked(List<Long> grantIds, RevokeReason reason, String detail) {
        post(() -> onLoop.revoked(grantIds, reason, detail));
      }

      @Override
      public void attached(long epoch) {
        post(() -> onLoop.attached(epoch));
      }

      @Override
      public void ended(Status status) {
        post(() -> onLoop.ended(status));
      }

      @Override
      public void superseded(Status status) {
        post(() -> onLoop.superseded(status));
      }

      @Override
      public void nodes(java.util.Map<String, String> usable) {
        post(() -> onLoop.nodes(usable));
      }
    };
  }
}
