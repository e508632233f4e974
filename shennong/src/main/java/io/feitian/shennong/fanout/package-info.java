/**
 * The master's decisions, without I/O: which agents are up and what they hold
 * ({@link io.feitian.shennong.fanout.AgentBook}), which agents run each subscription, how the
 * reports of one window are collected and when the window is merged
 * ({@link io.feitian.shennong.fanout.WindowCollector}), and what a subscriber that does not keep up
 * receives ({@link io.feitian.shennong.fanout.SubscriberQueue}). {@link io.feitian.shennong.fanout.FanOut}
 * ties them together; the master daemon drives it from one thread with its clock, its agents'
 * messages and its subscribers' calls.
 */
package io.feitian.shennong.fanout;
