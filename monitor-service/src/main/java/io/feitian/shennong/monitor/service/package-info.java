/**
 * The monitor-service daemon: the shell around Shennong's monitor core ({@code monitor.rules},
 * {@code monitor.alerts}, {@code monitor.notify}). One instance leads, elected through ZooKeeper;
 * its {@code MonitorTerm} owns the core on one thread, fed by one Shennong subscription per rule
 * (the client library's, which follows master failovers). State goes to ZooKeeper through the
 * leader's fence before notifications go out (deflated chunks behind a pointer, and the history
 * appended in batches: {@code StateStore}); transitions also to a bounded JSON-lines file in the
 * leader's data directory; webhooks are posted with retries on their own threads.
 */
package io.feitian.shennong.monitor.service;
