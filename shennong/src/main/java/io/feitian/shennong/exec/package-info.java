/**
 * What an agent does with the subscriptions its master pushed to it, next to its data: evaluates
 * windowed operations as their windows end, forwards RAW samples and events as they are written,
 * and hands the results to an outbox. A pure core: the agent daemon drives it from one thread with
 * its clock, its writes and its master's commands (see {@link io.feitian.shennong.exec.SubscriptionRunner}).
 */
package io.feitian.shennong.exec;
