package io.feitian.client.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/** Turns failures into one clear line on stderr and a non-zero exit code. */
final class Failures implements IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
    String message;
    if (e instanceof StatusRuntimeException s) {
      Status st = s.getStatus();
      message = st.getCode() + ": " + (st.getDescription() == null ? "" : st.getDescription());
    } else if (e instanceof IllegalArgumentException) {
      cmd.getErr().println("feitian: " + e.getMessage());
      return 2;
    } else {
      message = e.getMessage() == null ? e.toString() : e.getMessage();
    }
    cmd.getErr().println("feitian: " + message);
    return 1;
  }
}
