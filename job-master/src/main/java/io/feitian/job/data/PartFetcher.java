package io.feitian.job.data;

import io.feitian.common.grpc.CallSettings;
import io.feitian.proto.job.v1.FetchRequest;
import io.feitian.proto.job.v1.OutputPart;
import io.feitian.proto.job.v1.PipelineDataGrpc;
import io.grpc.Channel;
import java.io.InputStream;
import java.util.Objects;
import java.util.function.Function;

/**
 * Reads committed pipeline files from the task-workers that serve them
 * ({@code PipelineData.Fetch}). Everything read is checked against the
 * {@link OutputPart} recorded when the file was committed: each chunk's
 * CRC32C, that chunks follow each other without a gap, the file's total
 * length and, at the end, the whole file's CRC32C. A stream that breaks
 * (UNAVAILABLE, or no chunk within the call deadline) is resumed from the
 * last good byte, up to {@value PartStream#MAX_RETRIES} times per part.
 * Memory per open part stays at a few chunks: more are asked for only as the
 * reader consumes them.
 */
public final class PartFetcher {
  private final Function<String, ? extends Channel> channels;
  private final CallSettings calls;

  /**
   * @param channels the channel to a task-worker by its address; asked again for every call and
   *     retry, so it should hand out one shared channel per address (this class never closes them)
   * @param calls the credentials to present; its deadline bounds the wait for each chunk, not the
   *     whole part, which takes as long as its reader does
   */
  public PartFetcher(Function<String, ? extends Channel> channels, CallSettings calls) {
    this.channels = Objects.requireNonNull(channels, "channels");
    this.calls = Objects.requireNonNull(calls, "calls");
  }

  /**
   * The bytes of one committed file, fetched as they are read. Failures are
   * {@link java.io.IOException}s naming the part and its node. The whole-file
   * checksum can only be checked at the end: the read that would return -1
   * throws instead if it is wrong, so act on the data only after reaching the
   * end. Closing the stream early cancels the fetch.
   */
  public InputStream open(String appId, OutputPart part) {
    FetchRequest request = FetchRequest.newBuilder()
        .setAppId(appId)
        .setTask(part.getTask())
        .setInstance(part.getInstance())
        .setAttempt(part.getAttempt())
        .setToTask(part.getToTask())
        .setPartition(part.getPartition())
        .build();
    String name = String.format("part (app %s, task %s, instance %d, attempt %d, to_task %s, partition %d) on node %s",
        appId, part.getTask(), part.getInstance(), part.getAttempt(), part.getToTask(), part.getPartition(),
        part.getNodeAddress());
    return new PartStream(name, part.getNodeAddress(), part.getLength(), part.getCrc32C(), request, calls.deadline(),
        () -> calls.streaming(PipelineDataGrpc.newStub(channels.apply(part.getNodeAddress()))));
  }
}
