package io.feitian.client.shennong;

import io.feitian.proto.shennong.v1.Severity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * What a daemon's pure report core makes of one view of its state: figures (the value of each
 * series now) and the events since the previous view. Plain data, so a core is tested without a
 * writer; {@link #writeTo} hands it to a {@link ShennongWriter}.
 */
public record DaemonReport(List<Figure> figures, List<Event> events) {
  /** Longest event message sent: the agent takes 4 KiB, and a char is at most 3 UTF-8 bytes. */
  public static final int MAX_MESSAGE_CHARS = 1024;
  /** Longest label value sent (the agent takes 1024 characters; free text is cut shorter). */
  public static final int MAX_LABEL_CHARS = 256;

  /** A gauge measures; a counter is a total that never decreases (use RATE over it). */
  public enum Kind { GAUGE, COUNTER }

  /** One series' value now. */
  public record Figure(String name, Map<String, String> labels, Kind kind, double value) {
    public Figure {
      labels = Map.copyOf(labels);
    }
  }

  /** Something that happened between two views; message and label values are cut to what the agent takes. */
  public record Event(String name, Severity severity, String message, Map<String, String> labels) {
    public Event {
      message = clip(message, MAX_MESSAGE_CHARS);
      Map<String, String> clipped = new LinkedHashMap<>();
      labels.forEach((k, v) -> clipped.put(k, clip(v, MAX_LABEL_CHARS)));
      labels = Map.copyOf(clipped);
    }
  }

  public DaemonReport {
    figures = List.copyOf(figures);
    events = List.copyOf(events);
  }

  /** The value of the figure with this name and exactly these labels (name, value pairs), if reported. */
  public OptionalDouble value(String name, String... labels) {
    Map<String, String> wanted = Registry.pairs(name, labels);
    return figures.stream().filter(f -> f.name().equals(name) && f.labels().equals(wanted))
        .mapToDouble(Figure::value).findFirst();
  }

  /**
   * Sets every figure as a gauge of the writer (a counter's total is its value, so RATE over it
   * works as over a writer's counter) and queues the events. Never blocks.
   */
  public void writeTo(ShennongWriter writer) {
    for (Figure f : figures) {
      writer.gauge(f.name(), flat(f.labels())).set(f.value());
    }
    for (Event e : events) {
      writer.event(e.name(), e.severity(), e.message(), flat(e.labels()));
    }
  }

  private static String[] flat(Map<String, String> labels) {
    String[] out = new String[labels.size() * 2];
    int i = 0;
    for (var l : labels.entrySet()) {
      out[i++] = l.getKey();
      out[i++] = l.getValue();
    }
    return out;
  }

  /** {@code text} cut to at most {@code max} chars, never between the two halves of a surrogate pair. */
  static String clip(String text, int max) {
    if (text.length() <= max) {
      return text;
    }
    int end = Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
    return text.substring(0, end);
  }

  /** Collects a report; labels are name, value pairs. */
  public static final class Builder {
    private final List<Figure> figures = new ArrayList<>();
    private final List<Event> events = new ArrayList<>();

    public Builder gauge(String name, double value, String... labels) {
      figures.add(new Figure(name, Registry.pairs(name, labels), Kind.GAUGE, value));
      return this;
    }

    public Builder counter(String name, double total, String... labels) {
      figures.add(new Figure(name, Registry.pairs(name, labels), Kind.COUNTER, total));
      return this;
    }

    public Builder event(String name, Severity severity, String message, String... labels) {
      events.add(new Event(name, severity, message, Registry.pairs(name, labels)));
      return this;
    }

    public DaemonReport build() {
      return new DaemonReport(figures, events);
    }
  }
}
