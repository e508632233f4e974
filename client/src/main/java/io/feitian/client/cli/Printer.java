package io.feitian.client.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import io.feitian.proto.common.v1.Resources;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Tables for people, JSON for scripts. */
public final class Printer {
  private static final JsonFormat.Printer JSON = JsonFormat.printer().includingDefaultValueFields();

  private Printer() {}

  public static void json(PrintWriter out, MessageOrBuilder message) {
    try {
      out.println(JSON.print(message));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A command's answer: the message as JSON with --json, else what {@code human} writes. */
  public static void answer(PrintWriter out, boolean json, MessageOrBuilder answer, Consumer<PrintWriter> human) {
    if (json) {
      json(out, answer);
    } else {
      human.accept(out);
    }
  }

  /** A time in milliseconds since the epoch, ISO-8601 in UTC; {@code -} for 0 (never). */
  public static String time(long ms) {
    return ms == 0 ? "-" : Instant.ofEpochMilli(ms).toString();
  }

  public static String resources(Resources r) {
    StringBuilder b = new StringBuilder();
    b.append(r.getCpuMillis()).append("m cpu, ").append(r.getMemoryMib()).append(" MiB");
    for (Map.Entry<String, Long> e : r.getNamedMap().entrySet()) {
      b.append(", ").append(e.getValue()).append(' ').append(e.getKey());
    }
    return b.toString();
  }

  /** A plain aligned table. */
  public static void table(PrintWriter out, List<String> header, List<List<String>> rows) {
    List<List<String>> all = new ArrayList<>();
    all.add(header);
    all.addAll(rows);
    aligned(out, "", all);
    if (rows.isEmpty()) {
      out.println("(none)");
    }
  }

  /** Rows in aligned columns, each line after {@code indent}; no header. */
  public static void aligned(PrintWriter out, String indent, List<List<String>> rows) {
    int[] width = new int[rows.stream().mapToInt(List::size).max().orElse(0)];
    for (List<String> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        width[i] = Math.max(width[i], row.get(i).length());
      }
    }
    for (List<String> row : rows) {
      StringBuilder line = new StringBuilder(indent);
      for (int i = 0; i < row.size(); i++) {
        line.append(String.format("%-" + (width[i] + 2) + "s", row.get(i)));
      }
      out.println(line.toString().stripTrailing());
    }
  }

  /** A progress bar for a terminal: {@code [#####...............] 25%}. */
  public static String bar(int done, int total) {
    int width = 20;
    int filled = total == 0 ? width : done * width / total;
    return "[" + "#".repeat(filled) + ".".repeat(width - filled) + "] " + (total == 0 ? 100 : done * 100 / total) + "%";
  }
}
