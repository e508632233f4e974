/**
 * What a leading fuxi-master reports to Shennong: {@link io.feitian.fuxi.master.report.ClusterReport}
 * (pure) turns successive views of the cluster into figures and events (node lost, back or joined,
 * leader changed); {@link io.feitian.fuxi.master.report.ClusterReporter} takes the views from the
 * term in office for the {@link io.feitian.client.shennong.PeriodicReporter} that writes them to
 * the node's shennong-agent.
 */
package io.feitian.fuxi.master.report;
