package io.feitian.fuxi.master.term;

/** Work arrived for a leader term that has ended. */
public final class TermClosedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TermClosedException(long epoch) {
    super("leader term " + epoch + " has ended");
  }
}
