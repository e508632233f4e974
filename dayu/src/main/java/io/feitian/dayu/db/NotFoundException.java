package io.feitian.dayu.db;

/**
 * A write or read named a cluster, node or module the database does not hold
 * (NOT_FOUND at the server). Its message starts with the caller's field, as
 * every refusal of the stores does.
 */
public final class NotFoundException extends IllegalArgumentException {
  public NotFoundException(String message) {
    super(message);
  }
}
