package io.feitian.client.shennong;

import io.feitian.proto.shennong.v1.Sample;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gauge whose value is read at each flush, on the flush thread, from a supplier (a queue's
 * size, a pool's active count). The supplier must be cheap and thread-safe; one that throws is
 * left out of that flush and logged at most once a minute.
 */
final class FunctionGauge extends Meter {
  private static final Logger log = LoggerFactory.getLogger(FunctionGauge.class);

  private final Sample prototype;
  private final DoubleSupplier supplier;
  private final LogLimiter failures = new LogLimiter(60_000);

  FunctionGauge(String name, Map<String, String> labels, DoubleSupplier supplier) {
    this.prototype = prototype(name, labels);
    this.supplier = supplier;
  }

  @Override
  void collect(long timestampMs, List<Sample> out) {
    double value;
    try {
      value = supplier.getAsDouble();
    } catch (RuntimeException e) {
      long more = failures.occurred(timestampMs);
      if (more != LogLimiter.NOT_NOW) {
        log.warn("the supplier of gauge {} threw; the gauge is left out of this flush{}", prototype.getName(),
            LogLimiter.more(more), e);
      }
      return;
    }
    add(out, prototype, timestampMs, value);
  }
}
