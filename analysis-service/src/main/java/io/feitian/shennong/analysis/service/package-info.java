/**
 * The analysis-service daemon: the shell around Shennong's analysis core ({@code shennong.analysis},
 * {@code ClusterTotals}). One instance leads, elected through ZooKeeper; its {@code AnalysisTerm}
 * owns the core on one thread, fed by one RAW Shennong subscription to the series the totals read
 * (the client library's, which follows master failovers). The history goes to a snapshot file in
 * the leader's data directory every snapshot-interval and at stop; the standby fetches the same
 * bytes from the leader into its own data directory, and a new leader restores from its file.
 */
package io.feitian.shennong.analysis.service;
