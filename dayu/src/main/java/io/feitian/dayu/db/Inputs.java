package io.feitian.dayu.db;

import io.feitian.common.app.FieldChecks;
import io.feitian.common.grpc.Echo;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * The checks on what callers write, with errors that start with the field's
 * name (IllegalArgumentException, which the server turns into INVALID_ARGUMENT).
 * The patterns keep every name printable, short, and safe in a file path.
 */
final class Inputs {
  static final Pattern CLUSTER = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  static final Pattern HOST = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?");
  static final Pattern RACK = Pattern.compile("[A-Za-z0-9_./-]{1,128}");
  static final Pattern ROLE = Pattern.compile("[a-z][a-z0-9_-]{0,63}");
  static final Pattern MODULE = Pattern.compile("[a-z][a-z0-9_-]{0,63}");
  static final Pattern VERSION = Pattern.compile("[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}");
  static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  static final Pattern PARAM_KEY = Pattern.compile("[A-Za-z0-9_.-]{1,256}");
  static final int MAX_PERSON_CHARS = 128;
  static final int MAX_VALUE_CHARS = 65_536;
  /** Descriptors and strategies: H2 holds at most 1,048,576 characters in a VARCHAR. */
  static final int MAX_DOCUMENT_CHARS = 1_000_000;

  private static final FieldChecks CHECKS = new FieldChecks("");

  private Inputs() {}

  static IllegalArgumentException bad(String field, String problem) {
    return CHECKS.bad(field, problem);
  }

  static NotFoundException unknown(String field, String problem) {
    return new NotFoundException(bad(field, problem).getMessage());
  }

  static AlreadyExistsException taken(String field, String problem) {
    return new AlreadyExistsException(bad(field, problem).getMessage());
  }

  /** A non-null value matching {@code pattern}. */
  static String name(String field, String value, Pattern pattern) {
    required(field, value);
    CHECKS.matches(field, value, pattern);
    return value;
  }

  static <T> T required(String field, T value) {
    if (value == null) {
      throw bad(field, "is required");
    }
    return value;
  }

  /** Who did something: 1 to MAX_PERSON_CHARS characters. */
  static String person(String field, String value) {
    return text(field, value, 1, MAX_PERSON_CHARS);
  }

  /** Free text of {@code min} to {@code max} characters. */
  static String text(String field, String value, int min, int max) {
    required(field, value);
    if (value.isBlank() && min > 0) {
      throw bad(field, "must not be empty");
    }
    if (value.length() > max) {
      throw bad(field, "is " + value.length() + " characters; at most " + max + " are allowed");
    }
    return value;
  }

  /** A published-version name, or "" (not installed; a target that removes the module). */
  static String versionOrNone(String field, String value) {
    required(field, value);
    return value.isEmpty() ? value : name(field, value, VERSION);
  }

  /** The name of one of {@code type}'s constants. */
  static <E extends Enum<E>> String oneOf(String field, String value, Class<E> type) {
    required(field, value);
    for (E e : type.getEnumConstants()) {
      if (e.name().equals(value)) {
        return value;
      }
    }
    throw bad(field, "must be one of " + Arrays.toString(type.getEnumConstants()) + ", got " + quote(value));
  }

  /** Bytes, at most {@code max} of them. */
  static byte[] bytes(String field, byte[] value, int max) {
    required(field, value);
    if (value.length > max) {
      throw bad(field, "is " + value.length + " bytes; at most " + max + " are allowed");
    }
    return value;
  }

  static String quote(String value) {
    return Echo.quote(value);
  }
}
