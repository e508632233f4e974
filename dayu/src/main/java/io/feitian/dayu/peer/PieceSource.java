package io.feitian.dayu.peer;

import io.feitian.proto.dayu.v1.FetchPieceRequest;

/** Where a {@link PieceServer} reads the pieces it serves: dayu-server's database, or an agent's {@link PieceStore}. */
@FunctionalInterface
public interface PieceSource {
  /**
   * The piece {@code request} asks for, checked against its package's manifest.
   *
   * @throws io.grpc.StatusRuntimeException NOT_FOUND when this peer does not hold it
   * @throws IllegalArgumentException for a malformed module, version or piece (INVALID_ARGUMENT)
   */
  byte[] piece(FetchPieceRequest request);
}
