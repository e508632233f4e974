package io.feitian.dayu.descriptor;

/**
 * A descriptor refused: the file, the line (0 when unknown) and the field, e.g.
 * {@code dayu-module.conf:12: upgrade[2]: is not a step: "restart" (...)}. An
 * IllegalArgumentException, so the servers answer INVALID_ARGUMENT with this message.
 */
public final class DescriptorException extends IllegalArgumentException {
  private final String file;
  private final int line;
  private final String field;

  public DescriptorException(String file, int line, String field, String problem) {
    super(file + (line > 0 ? ":" + line : "") + ": " + field + " " + problem);
    this.file = file;
    this.line = line;
    this.field = field;
  }

  public String file() {
    return file;
  }

  public int line() {
    return line;
  }

  public String field() {
    return field;
  }
}
