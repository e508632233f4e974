package io.feitian.dayu.peer;

/** Where a {@link PieceServer} reads the pieces it serves: dayu-server's database, or an agent's {@link PieceStore}. */
@FunctionalInterface
public interface PieceSource {
  /**
   * Piece {@code piece} of the package, checked against its manifest.
   *
   * @throws io.grpc.StatusRuntimeException NOT_FOUND when this peer does not hold it
   * @throws IllegalArgumentException for a malformed module, version or piece (INVALID_ARGUMENT)
   */
  byte[] piece(String module, String version, int piece);
}
