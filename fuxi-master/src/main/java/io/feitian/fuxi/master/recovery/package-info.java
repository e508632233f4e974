/**
 * How a new leader term rebuilds who holds which grant from the nodes' reports
 * and the application masters' claims ({@link io.feitian.fuxi.master.recovery.GrantRecovery}).
 * A pure core: calls in, decisions out, no I/O, threads or clocks; the term's
 * shell ({@code io.feitian.fuxi.master.term}) sends the decisions.
 */
package io.feitian.fuxi.master.recovery;
