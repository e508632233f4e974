/**
 * What a service-master reports to Shennong. {@link io.feitian.service.report.ServiceReport}
 * (pure) turns successive views of the service, taken on the service-master's loop, into figures
 * ({@code service.*}: partitions by state, workers by role and state, partition moves) and events
 * (partition moved or split, worker lost or replaced); the service-master's main hands it to a
 * {@link io.feitian.client.shennong.PeriodicReporter}.
 */
package io.feitian.service.report;
