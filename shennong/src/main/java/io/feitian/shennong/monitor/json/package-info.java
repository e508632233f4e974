/**
 * The monitor-service's JSON: the Alertmanager webhook body (version 4) of a notification, and
 * the state snapshot a standby takes over from. Jackson databind; no I/O.
 */
package io.feitian.shennong.monitor.json;
