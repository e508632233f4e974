package io.feitian.client.shennong;

import com.typesafe.config.Config;
import io.feitian.common.grpc.Addresses;
import io.feitian.common.grpc.Channels;
import io.feitian.common.security.SecuritySettings;
import io.feitian.common.security.TlsSettings;
import io.feitian.proto.shennong.v1.AgentServiceGrpc;
import io.feitian.proto.shennong.v1.Event;
import io.feitian.proto.shennong.v1.Severity;
import io.feitian.proto.shennong.v1.WriteRequest;
import io.feitian.proto.shennong.v1.WriteResponse;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an application writes to the Shennong agent of its node: counters, gauges, timers and
 * events, batched and sent by one daemon thread every flush interval (default 1 s). Nothing an
 * application calls blocks: meters are updated with lock-free adders, events go to a bounded
 * buffer that drops the newest when full (counted, and published as the series
 * {@value #DROPPED_EVENTS}), and the agent is only ever called from the flush thread.
 *
 * <pre>{@code
 * try (ShennongWriter w = new ShennongWriter(ShennongWriter.Options.defaults("orders")
 *     .withLabel("node", "n1"))) {
 *   Counter placed = w.counter("orders.placed", "region", "eu");
 *   placed.increment();
 *   w.timer("orders.latency").time(() -> handle(order));
 *   w.event("orders.stuck", Severity.SEVERITY_WARNING, "order 17 waits for payment");
 * }
 * }</pre>
 *
 * Ask for a meter once and keep it: asking again (same name and labels) returns the same
 * instance, but builds a key each time. The agent is the authority on names and labels
 * (docs/SHENNONG.md); the writer checks only the source and the shape of its arguments, and logs
 * what the agent refuses, at most once a minute. While the agent does not answer, counters and
 * timers keep their totals, gauges their newest value, and up to the event capacity of events;
 * one WARN says so, and one INFO says when the agent answers again. After {@link #close()} the
 * writer accepts calls and sends nothing.
 */
public final class ShennongWriter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ShennongWriter.class);
  /** What the agent accepts as a source ({@code io.feitian.shennong.wire.Ingest.SOURCE}). */
  public static final Pattern SOURCE = Pattern.compile("[A-Za-z0-9_.:-]{1,128}");
  public static final String DEFAULT_AGENT = "127.0.0.1:7300";
  /** The series counting the events this writer dropped because its buffer was full. */
  public static final String DROPPED_EVENTS = "shennong.writer.dropped.events";

  private final Options options;
  private final Registry registry;
  private final EventBuffer events;
  private final Flusher flusher;
  private final ManagedChannel channel;
  private final ScheduledExecutorService thread;
  private final LongSupplier wallClockMs;
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * Where and how a writer sends.
   *
   * @param agent the agent's host:port
   * @param source who writes, {@link #SOURCE}; the agent limits the series of each source
   * @param labels added to every series and event (e.g. node, app); a meter's own labels win
   * @param flushInterval how often samples and events are sent
   * @param deadline of each write call (and of the last flush at close)
   * @param eventCapacity the most events held while waiting for the agent
   * @param tls TLS towards the agent, or {@link TlsSettings#DISABLED}
   * @param token a bearer token, when the agent requires one
   */
  public record Options(String agent, String source, Map<String, String> labels, Duration flushInterval,
      Duration deadline, int eventCapacity, TlsSettings tls, Optional<String> token) {

    public Options {
      Addresses.requireHostPort("agent", agent);
      if (source == null || !SOURCE.matcher(source).matches()) {
        throw new IllegalArgumentException("source must match " + SOURCE.pattern() + ", got "
            + (source == null ? "nothing" : "'" + source + "'"));
      }
      labels = Map.copyOf(labels);
      requirePositive("flushInterval", flushInterval);
      requirePositive("deadline", deadline);
      if (eventCapacity < 1) {
        throw new IllegalArgumentException("eventCapacity must be positive, got " + eventCapacity);
      }
    }

    private static void requirePositive(String field, Duration d) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(field + " must be positive, got " + d);
      }
    }

    /** The local agent ({@value ShennongWriter#DEFAULT_AGENT}), flushes every second, 5 s deadline, 10,000 events, plaintext. */
    public static Options defaults(String source) {
      return new Options(DEFAULT_AGENT, source, Map.of(), Duration.ofSeconds(1), Duration.ofSeconds(5), 10_000,
          TlsSettings.DISABLED, Optional.empty());
    }

    public Options withAgent(String a) {
      return new Options(a, source, labels, flushInterval, deadline, eventCapacity, tls, token);
    }

    /** Replaces the constant labels. */
    public Options withLabels(Map<String, String> l) {
      return new Options(agent, source, l, flushInterval, deadline, eventCapacity, tls, token);
    }

    /** Adds one constant label. */
    public Options withLabel(String name, String value) {
      Map<String, String> l = new TreeMap<>(labels);
      l.put(name, value);
      return withLabels(l);
    }

    public Options withFlushInterval(Duration d) {
      return new Options(agent, source, labels, d, deadline, eventCapacity, tls, token);
    }

    public Options withDeadline(Duration d) {
      return new Options(agent, source, labels, flushInterval, d, eventCapacity, tls, token);
    }

    public Options withEventCapacity(int n) {
      return new Options(agent, source, labels, flushInterval, deadline, n, tls, token);
    }

    public Options withTls(TlsSettings t) {
      return new Options(agent, source, labels, flushInterval, deadline, eventCapacity, t, token);
    }

    public Options withToken(String t) {
      return new Options(agent, source, labels, flushInterval, deadline, eventCapacity, tls,
          Optional.ofNullable(t).filter(s -> !s.isBlank()));
    }

    /** TLS and token of a process's security settings (what a Feitian daemon writes with). */
    public Options withSecurity(SecuritySettings s) {
      return withTls(s.tls()).withToken(s.token().orElse(null));
    }
  }

  /**
   * The writer a Feitian daemon reports with, from its configuration ({@code feitian.shennong}: the
   * node's agent, the interval, whether to report at all) and security settings; empty when
   * reporting is off.
   */
  public static Optional<ShennongWriter> forDaemon(Config config, String source,
      Map<String, String> labels) {
    Config c = config.getConfig("feitian.shennong");
    if (!c.getBoolean("report")) {
      return Optional.empty();
    }
    return Optional.of(new ShennongWriter(Options.defaults(source).withAgent(c.getString("agent")).withLabels(labels)
        .withFlushInterval(c.getDuration("interval")).withSecurity(SecuritySettings.from(config))));
  }

  /** The variables through which a process started on a node finds the node's agent (read by reference.conf). */
  public static final String ENV_AGENT = "FEITIAN_SHENNONG_AGENT";
  public static final String ENV_REPORT = "FEITIAN_SHENNONG_REPORT";

  /**
   * The environment a daemon gives the processes it starts (a task-worker's application masters and
   * workers) so that they report to the same agent as it does, or not at all when it does not:
   * {@link #ENV_AGENT}, and {@link #ENV_REPORT} = false when reporting is off.
   */
  public static Map<String, String> childEnvironment(Config config) {
    Config c = config.getConfig("feitian.shennong");
    return c.getBoolean("report") ? Map.of(ENV_AGENT, c.getString("agent"))
        : Map.of(ENV_AGENT, c.getString("agent"), ENV_REPORT, "false");
  }

  /** Connects (lazily: an agent that is not up yet is not an error) and starts the flush thread. */
  public ShennongWriter(Options options) {
    this(options, System::currentTimeMillis);
  }

  /** With the wall clock passed in, for tests of a clock that steps back. */
  ShennongWriter(Options options, LongSupplier wallClockMs) {
    this.options = options;
    this.wallClockMs = wallClockMs;
    this.registry = new Registry(options.labels());
    this.events = new EventBuffer(options.eventCapacity());
    this.channel = Channels.open(options.agent(), SecuritySettings.client(options.tls(), options.token()));
    AgentServiceGrpc.AgentServiceBlockingStub stub = AgentServiceGrpc.newBlockingStub(channel);
    this.flusher = new Flusher(options.agent(), options.source(), registry, events, new Flusher.Sender() {
      @Override
      public WriteResponse write(WriteRequest request, Duration deadline) {
        return stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS).write(request);
      }

      @Override
      public void reconnect() {
        // gRPC waits up to two minutes between connection attempts; the flush interval paces ours.
        channel.resetConnectBackoff();
      }
    }, wallClockMs);
    registry.register(FunctionGauge.class, DROPPED_EVENTS, new String[0],
        (name, labels) -> new FunctionGauge(name, labels, events::dropped));
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "shennong-writer-" + options.source());
      t.setDaemon(true);
      return t;
    });
    long interval = options.flushInterval().toNanos();
    thread.scheduleWithFixedDelay(this::flush, interval, interval, TimeUnit.NANOSECONDS);
  }

  private void flush() {
    try {
      flusher.flush(options.deadline());
    } catch (RuntimeException e) {
      // A periodic task that throws is never run again: the writer must outlive a bug in one flush.
      log.error("shennong writer {}: a flush failed", options.source(), e);
    }
  }

  /** The counter of {@code name} with {@code labels} (name, value, name, value, ...). */
  public Counter counter(String name, String... labels) {
    return registry.register(Counter.class, name, labels, Counter::new);
  }

  /** The gauge of {@code name} with {@code labels}; nothing is published before its first set. */
  public Gauge gauge(String name, String... labels) {
    return registry.register(Gauge.class, name, labels, Gauge::new);
  }

  /**
   * A gauge read from {@code value} at each flush, on the flush thread: it must be cheap and
   * thread-safe. Registering the same name and labels again keeps the first supplier.
   */
  public void gauge(String name, DoubleSupplier value, String... labels) {
    registry.register(FunctionGauge.class, name, labels, (n, l) -> new FunctionGauge(n, l, value));
  }

  /** The timer of {@code name} with {@code labels}: series {@code name.count}, {@code .sum.seconds}, {@code .max.seconds}. */
  public Timer timer(String name, String... labels) {
    return registry.register(Timer.class, name, labels, Timer::new);
  }

  /**
   * Queues an event, stamped now, for the next flush; when the buffer is full it is dropped and
   * counted ({@link #droppedEvents()}). Returns whether it was queued.
   */
  public boolean event(String name, Severity severity, String message, String... labels) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("an event needs a name");
    }
    Map<String, String> all = new TreeMap<>(options.labels());
    all.putAll(Registry.pairs(name, labels));
    return events.offer(Event.newBuilder().setName(name).setSeverity(severity).putAllLabels(all)
        .setTimestampMs(wallClockMs.getAsLong()).setMessage(message == null ? "" : message).build());
  }

  /** Events dropped because the buffer was full, since the writer started. */
  public long droppedEvents() {
    return events.dropped();
  }

  /** Samples the agent refused (bad names, out of order, series limits), since the writer started. */
  public long refusedSamples() {
    return flusher.refusedSamples();
  }

  /** Events the agent refused, since the writer started. */
  public long refusedEvents() {
    return flusher.refusedEvents();
  }

  /**
   * Flushes once more, waiting at most the deadline for it (a flush already running is waited
   * for within the same time), then closes the connection.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    thread.execute(this::flush);
    thread.shutdown(); // drops the periodic flush; the last one still runs
    try {
      if (!thread.awaitTermination(options.deadline().toNanos(), TimeUnit.NANOSECONDS)) {
        log.warn("shennong writer {}: the last flush to {} did not finish within {}; unsent data is lost",
            options.source(), options.agent(), options.deadline());
        thread.shutdownNow();
      }
    } catch (InterruptedException e) {
      thread.shutdownNow();
      Thread.currentThread().interrupt();
    }
    channel.shutdownNow();
  }
}
