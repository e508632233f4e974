package io.feitian.client.cli;

import io.feitian.client.FeitianClient;
import io.feitian.client.shennong.AlertsClient;

/** A command that calls the monitor-service leader ({@code feitian alerts ...}). */
abstract class AlertsCommandBase extends ClusterCommandBase {
  @Override
  protected final void run(FeitianClient client) {
    try (AlertsClient alerts = new AlertsClient(client)) {
      run(alerts);
    }
  }

  protected abstract void run(AlertsClient alerts);
}
