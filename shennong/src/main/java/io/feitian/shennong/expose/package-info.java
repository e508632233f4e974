/**
 * What an agent or a master holds, for an existing Prometheus to scrape: {@link
 * io.feitian.shennong.expose.PrometheusExposition} turns a {@link
 * io.feitian.shennong.series.SeriesStore} (and the daemon's own figures) into the Prometheus
 * text format with Prometheus' own library, purely (an ArchUnit test holds it to no network,
 * files, threads or clock); {@link io.feitian.shennong.expose.MetricsHttpServer} is the thin
 * HTTP shell that serves it at {@code /metrics}, asking the daemon for the body so that only the
 * daemon knows how its store is locked.
 *
 * <h2>Decisions</h2>
 *
 * <ul>
 *   <li>Every family is untyped: the wire protocol does not say whether a series counts or
 *       measures.
 *   <li>No sample timestamps: Prometheus stamps each scrape itself, which keeps its staleness
 *       handling for series that stop.
 *   <li>Bearer tokens of the reader role when authentication is on; HTTPS (only) when TLS is on,
 *       with the daemon's gRPC certificate, key, CA and client-auth mode.
 * </ul>
 */
package io.feitian.shennong.expose;
