package io.feitian.client.shennong;

import com.google.protobuf.CodedOutputStream;
import io.feitian.proto.shennong.v1.Event;
import io.feitian.proto.shennong.v1.Sample;
import io.feitian.proto.shennong.v1.WriteRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits one flush into write requests the agent takes whole: at most {@link #MAX_SAMPLES}
 * samples and {@link #MAX_EVENTS} events each (the agent refuses a larger request entirely), and
 * about {@link #MAX_BYTES} (far below the 4 MiB a Feitian gRPC server reads). The limits are the
 * agent's ({@code io.feitian.shennong.wire.Ingest}); a test holds them equal, so that this module
 * need not depend on the agent's.
 */
final class Batches {
  static final int MAX_SAMPLES = 100_000;
  static final int MAX_EVENTS = 10_000;
  static final int MAX_BYTES = 1024 * 1024;

  /** One request, and how many of the flush's events it carries (they are released when it is answered). */
  record Batch(WriteRequest request, int events) {}

  private Batches() {}

  /** Samples first, then events, in order; a single item larger than {@code maxBytes} goes alone. */
  static List<Batch> split(String source, List<Sample> samples, List<Event> events, int maxSamples, int maxEvents,
      int maxBytes) {
    List<Batch> out = new ArrayList<>();
    WriteRequest.Builder b = WriteRequest.newBuilder().setSource(source);
    int base = b.build().getSerializedSize();
    int bytes = base;
    for (Sample s : samples) {
      int size = CodedOutputStream.computeMessageSize(WriteRequest.SAMPLES_FIELD_NUMBER, s);
      if (b.getSamplesCount() > 0 && (b.getSamplesCount() == maxSamples || bytes + size > maxBytes)) {
        out.add(new Batch(b.build(), 0));
        b = WriteRequest.newBuilder().setSource(source);
        bytes = base;
      }
      b.addSamples(s);
      bytes += size;
    }
    for (Event e : events) {
      int size = CodedOutputStream.computeMessageSize(WriteRequest.EVENTS_FIELD_NUMBER, e);
      boolean any = b.getSamplesCount() > 0 || b.getEventsCount() > 0;
      if (any && (b.getEventsCount() == maxEvents || bytes + size > maxBytes)) {
        out.add(new Batch(b.build(), b.getEventsCount()));
        b = WriteRequest.newBuilder().setSource(source);
        bytes = base;
      }
      b.addEvents(e);
      bytes += size;
    }
    if (b.getSamplesCount() > 0 || b.getEventsCount() > 0) {
      out.add(new Batch(b.build(), b.getEventsCount()));
    }
    return out;
  }
}
