package io.feitian.dayu.db;

/**
 * A cluster or node was added under a name already taken (ALREADY_EXISTS at
 * the server). Its message starts with the caller's field.
 */
public final class AlreadyExistsException extends IllegalArgumentException {
  AlreadyExistsException(String message) {
    super(message);
  }
}
