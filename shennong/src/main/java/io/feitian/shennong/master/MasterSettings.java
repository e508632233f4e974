package io.feitian.shennong.master;

import com.typesafe.config.Config;
import io.feitian.common.grpc.Advertised;
import io.feitian.common.grpc.Listening;
import io.feitian.shennong.expose.MetricsEndpoint;
import io.feitian.shennong.fanout.FanOut;

/** shennong-master's part of the configuration, checked. */
public record MasterSettings(String bind, int port, String advertise, FanOut.Settings fanOut, MetricsEndpoint metrics)
    implements Listening {

  public static MasterSettings from(Config config) {
    Config m = config.getConfig("shennong.master");
    int port = m.getInt("port");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("shennong.master.port out of range: " + port);
    }
    FanOut.Settings fanOut;
    try {
      fanOut = new FanOut.Settings(m.getDuration("report-grace").toMillis(), m.getDuration("status-interval").toMillis(),
          m.getDuration("keep-lost").toMillis(), m.getInt("max-subscriptions"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("shennong.master: " + e.getMessage(), e);
    }
    return new MasterSettings(m.getString("bind"), port, m.getString("advertise"), fanOut,
        MetricsEndpoint.from(config, "shennong.master"));
  }

  @Override
  public Advertised advertised(int actualPort, String zkConnect) {
    return Advertised.choose("shennong.master.advertise", advertise, bind, actualPort, zkConnect);
  }
}
