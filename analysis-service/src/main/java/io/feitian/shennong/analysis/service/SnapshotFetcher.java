package io.feitian.shennong.analysis.service;

import io.feitian.proto.shennong.v1.AnalysisServiceGrpc.AnalysisServiceBlockingStub;
import io.feitian.proto.shennong.v1.FetchSnapshotRequest;
import io.feitian.proto.shennong.v1.SnapshotChunk;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.function.BooleanSupplier;

/**
 * A standby's copy of the leader's snapshot in its data directory. A fetch names the version of
 * the copy held, and the leader sends nothing more when that is still its newest. Chunks are read
 * one at a time as they arrive (the blocking stub asks for the next when it is read), and the copy
 * is written only while this service still stands by. Used from one thread.
 */
final class SnapshotFetcher {
  enum Outcome {
    /** The copy held is the leader's newest: nothing was sent. */
    UNCHANGED,
    /** The leader's newest was written to the file. */
    WRITTEN,
    /** This service was elected while fetching: the file is its own, and was left alone. */
    NOT_STANDING_BY
  }

  private final SnapshotFile file;
  /** The version of the copy last written ("" for none). */
  private String have = "";

  SnapshotFetcher(SnapshotFile file) {
    this.file = file;
  }

  /** Fetches from {@code leader} (a stub with its deadline) unless the copy held is its newest. */
  Outcome fetch(AnalysisServiceBlockingStub leader, BooleanSupplier standingBy) throws IOException {
    Iterator<SnapshotChunk> chunks = leader.fetchSnapshot(FetchSnapshotRequest.newBuilder().setHaveVersion(have)
        .build());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    String version = null;
    boolean unchanged = false;
    while (chunks.hasNext()) {
      SnapshotChunk c = chunks.next();
      if (version == null) {
        version = c.getVersion();
        unchanged = c.getUnchanged();
      }
      c.getData().writeTo(bytes);
    }
    if (unchanged) {
      return Outcome.UNCHANGED;
    }
    if (!file.writeIf(standingBy, bytes.toByteArray())) {
      return Outcome.NOT_STANDING_BY;
    }
    have = version == null ? "" : version;
    return Outcome.WRITTEN;
  }

  /** The version of the copy last written, "" for none. */
  String have() {
    return have;
  }
}
