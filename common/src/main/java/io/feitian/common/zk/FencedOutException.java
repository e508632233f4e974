package io.feitian.common.zk;

/** A write was refused because a newer leader term has begun. */
public final class FencedOutException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public FencedOutException(String message, Throwable cause) {
    super(message, cause);
  }
}
