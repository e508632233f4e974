package io.feitian.common.grpc;

/** Where a daemon's gRPC server listens and the address it advertises: what every daemon's settings say. */
public interface Listening {
  /** The interface to bind ("0.0.0.0" for all). */
  String bind();

  /** The port to bind; 0 for any free one. */
  int port();

  /** The address to advertise once bound to {@code actualPort} ({@link Advertised#choose}). */
  Advertised advertised(int actualPort, String zkConnect);
}
