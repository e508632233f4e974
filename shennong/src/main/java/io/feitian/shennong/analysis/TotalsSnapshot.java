package io.feitian.shennong.analysis;

import com.google.protobuf.InvalidProtocolBufferException;
import io.feitian.proto.shennong.v1.AnalysisSnapshot;
import io.feitian.proto.shennong.v1.TotalHistorySnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * The snapshot format: a 16-byte header, then an {@link AnalysisSnapshot} message.
 *
 * <pre>
 * offset 0   4 bytes  magic "FTAS"
 * offset 4   4 bytes  version, big-endian (1)
 * offset 8   4 bytes  length of the message, big-endian
 * offset 12  4 bytes  CRC-32 of the message, big-endian
 * offset 16  the message
 * </pre>
 *
 * Protobuf alone would take a snapshot cut at a field boundary for a whole one with less history; the length and
 * the checksum refuse it. Each ring is written from its oldest step to its newest, leading steps without data
 * left out.
 */
final class TotalsSnapshot {
  static final int VERSION = 1;
  static final int HEADER_BYTES = 16;
  private static final byte[] MAGIC = {'F', 'T', 'A', 'S'};

  private TotalsSnapshot() {}

  /** The history copied as it is now: array copies only, on the core's thread. */
  static HistoryCopy copy(ClusterTotals core, long nowMs) {
    AnalysisSettings s = core.settings();
    List<HistoryCopy.Series> series = new ArrayList<>();
    for (Map.Entry<ClusterTotals.SeriesId, TotalHistory> e : core.allSeries()) {
      TotalHistory h = e.getValue();
      long fineFrom = firstWithData(h.fine());
      long coarseFrom = firstWithData(h.coarseAvg());
      series.add(new HistoryCopy.Series(e.getKey(), fineFrom, copy(h.fine(), fineFrom, h.fine().newest()),
          coarseFrom, copy(h.coarseAvg(), coarseFrom, h.coarseAvg().newest()),
          copy(h.coarseMax(), coarseFrom, h.coarseAvg().newest())));
    }
    return new HistoryCopy(nowMs, s.fineStepMs(), s.coarseStepMs(), core.nextStep(), series);
  }

  /** The steps {@code from} to {@code to} of a ring (none when {@code to} is before {@code from}). */
  private static double[] copy(StepRing ring, long from, long to) {
    double[] out = new double[(int) Math.max(0, to - from + 1)];
    for (int i = 0; i < out.length; i++) {
      out[i] = ring.get(from + i);
    }
    return out;
  }

  /** The snapshot's bytes: the costly part (building the message and its checksum), on any thread. */
  static byte[] encode(HistoryCopy copy) {
    AnalysisSnapshot.Builder b = AnalysisSnapshot.newBuilder()
        .setTakenAtMs(copy.takenAtMs())
        .setFineStepMs(copy.fineStepMs())
        .setCoarseStepMs(copy.coarseStepMs())
        .setNextFineStep(copy.nextFineStep());
    for (HistoryCopy.Series h : copy.series()) {
      TotalHistorySnapshot.Builder series = TotalHistorySnapshot.newBuilder()
          .setTotal(h.id().total().totalName())
          .setGrouping(h.id().grouping().label())
          .setGroup(h.id().group())
          .setFineFirstStep(h.fineFirstStep())
          .setCoarseFirstStep(h.coarseFirstStep());
      for (double v : h.fine()) {
        series.addFine(v);
      }
      for (int i = 0; i < h.coarseAvg().length; i++) {
        series.addCoarseAvg(h.coarseAvg()[i]).addCoarseMax(h.coarseMax()[i]);
      }
      b.addSeries(series);
    }
    byte[] message = b.build().toByteArray();
    byte[] out = new byte[HEADER_BYTES + message.length];
    System.arraycopy(MAGIC, 0, out, 0, 4);
    putInt(out, 4, VERSION);
    putInt(out, 8, message.length);
    putInt(out, 12, (int) crc(message, 0, message.length));
    System.arraycopy(message, 0, out, HEADER_BYTES, message.length);
    return out;
  }

  static ClusterTotals decode(AnalysisSettings settings, String cluster, byte[] bytes, long nowMs) {
    if (bytes.length < HEADER_BYTES) {
      throw new IllegalArgumentException("snapshot: " + bytes.length + " bytes is shorter than the " + HEADER_BYTES
          + "-byte header");
    }
    for (int i = 0; i < 4; i++) {
      if (bytes[i] != MAGIC[i]) {
        throw new IllegalArgumentException("snapshot: does not start with \"FTAS\"; not an analysis snapshot");
      }
    }
    int version = getInt(bytes, 4);
    if (version != VERSION) {
      throw new IllegalArgumentException("snapshot: version " + version + " is not supported; this service reads "
          + VERSION);
    }
    int length = getInt(bytes, 8);
    if (length < 0 || length != bytes.length - HEADER_BYTES) {
      throw new IllegalArgumentException("snapshot: the header says " + Integer.toUnsignedString(length)
          + " bytes of history and " + (bytes.length - HEADER_BYTES) + " follow (cut short or padded)");
    }
    if ((int) crc(bytes, HEADER_BYTES, length) != getInt(bytes, 12)) {
      throw new IllegalArgumentException("snapshot: CRC-32 mismatch; the snapshot is corrupted");
    }
    AnalysisSnapshot snapshot;
    try {
      snapshot = AnalysisSnapshot.parseFrom(java.util.Arrays.copyOfRange(bytes, HEADER_BYTES, bytes.length));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("snapshot: the history does not parse: " + e.getMessage());
    }
    if (snapshot.getFineStepMs() != settings.fineStepMs() || snapshot.getCoarseStepMs() != settings.coarseStepMs()) {
      throw new IllegalArgumentException("snapshot: kept at " + snapshot.getFineStepMs() + " ms and "
          + snapshot.getCoarseStepMs() + " ms resolutions; this service keeps " + settings.fineStepMs() + " ms and "
          + settings.coarseStepMs() + " ms");
    }
    ClusterTotals core = new ClusterTotals(settings, cluster, nowMs);
    for (TotalHistorySnapshot series : snapshot.getSeriesList()) {
      Total total = Total.named(series.getTotal());
      if (total == null) {
        // A total a later version added: this version cannot answer for it.
        continue;
      }
      Grouping grouping;
      try {
        grouping = Grouping.named(series.getGrouping());
      } catch (IllegalArgumentException e) {
        continue;
      }
      if (series.getCoarseAvgCount() != series.getCoarseMaxCount()) {
        throw new IllegalArgumentException("snapshot: series " + series.getTotal() + " " + series.getGrouping() + "="
            + series.getGroup() + " has " + series.getCoarseAvgCount() + " coarse averages and "
            + series.getCoarseMaxCount() + " maxima");
      }
      TotalHistory h = core.historyOf(new ClusterTotals.SeriesId(total, grouping, series.getGroup()), true);
      if (h == null) {
        continue;
      }
      for (int i = 0; i < series.getFineCount(); i++) {
        h.fine().put(series.getFineFirstStep() + i, series.getFine(i));
      }
      for (int i = 0; i < series.getCoarseAvgCount(); i++) {
        h.coarseAvg().put(series.getCoarseFirstStep() + i, series.getCoarseAvg(i));
        h.coarseMax().put(series.getCoarseFirstStep() + i, series.getCoarseMax(i));
      }
    }
    core.resumeAt(snapshot.getNextFineStep());
    return core;
  }

  /** The oldest step of the ring with data, or its newest + 1 when it has none. */
  private static long firstWithData(StepRing ring) {
    if (ring.newest() == Long.MIN_VALUE) {
      return 0;
    }
    long step = ring.oldest();
    while (step <= ring.newest() && Double.isNaN(ring.get(step))) {
      step++;
    }
    return step;
  }

  private static long crc(byte[] bytes, int from, int length) {
    CRC32 crc = new CRC32();
    crc.update(bytes, from, length);
    return crc.getValue();
  }

  private static void putInt(byte[] out, int at, int v) {
    out[at] = (byte) (v >>> 24);
    out[at + 1] = (byte) (v >>> 16);
    out[at + 2] = (byte) (v >>> 8);
    out[at + 3] = (byte) v;
  }

  private static int getInt(byte[] in, int at) {
    return (in[at] & 0xff) << 24 | (in[at + 1] & 0xff) << 16 | (in[at + 2] & 0xff) << 8 | (in[at + 3] & 0xff);
  }
}
