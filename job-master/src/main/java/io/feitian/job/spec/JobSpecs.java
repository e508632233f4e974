package io.feitian.job.spec;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.feitian.proto.job.v1.JobSpec;

/** The JSON form of a job description (the proto3 JSON mapping of JobSpec, snake_case names). */
public final class JobSpecs {
  private static final JsonFormat.Parser PARSER = JsonFormat.parser();
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer().preservingProtoFieldNames();

  private JobSpecs() {}

  /** Parses JSON; an unknown field or a wrong type is an IllegalArgumentException that names it. */
  public static JobSpec fromJson(String json) {
    JobSpec.Builder b = JobSpec.newBuilder();
    try {
      PARSER.merge(json, b);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      // JsonFormat's messages name the field and the value ("Cannot find field: taks in message ...").
      throw new IllegalArgumentException("the job description is not valid: " + e.getMessage(), e);
    }
    return b.build();
  }

  public static String toJson(JobSpec spec) {
    try {
      return PRINTER.print(spec);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print a job description", e);
    }
  }

  /** The description as fuxi-master stores it (AppSpec.description). */
  public static JobSpec fromBytes(String field, ByteString bytes) {
    try {
      return JobSpec.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(field + " is not a serialized feitian.job.v1.JobSpec: " + e.getMessage(), e);
    }
  }
}
