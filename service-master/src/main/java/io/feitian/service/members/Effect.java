package io.feitian.service.members;

import io.feitian.proto.fuxi.v1.Grant;
import io.feitian.service.partition.Action;

/**
 * What the {@link MemberBook} asks its caller to do, in the order given.
 * The caller stores the book's state (wanted counts, the partition table)
 * before it carries out any of them, so a change of the table is stored
 * before any worker hears of it.
 */
public sealed interface Effect {
  /** Change by {@code delta} the workers of {@code role} asked of Fuxi on {@code node} ("" for anywhere). */
  record Ask(String role, String node, int delta) implements Effect {}

  /**
   * Record the grant (so a successor claims it), then start a worker of its
   * role on it; if either fails, tell the book {@link MemberBook#launchFailed}.
   */
  record Launch(Grant grant) implements Effect {}

  /** Give the grant back to Fuxi; its node stops whatever runs in it. */
  record ReturnGrant(Grant grant, String why) implements Effect {}

  /** The grant is no longer held: drop its record. */
  record ForgetGrant(long grantId) implements Effect {}

  /** Watch the worker processes of the node at {@code address}: the book holds a grant there. */
  record WatchNode(String address) implements Effect {}

  /** The book holds no grant on the node at {@code address} any more: stop watching it. */
  record UnwatchNode(String address) implements Effect {}

  /**
   * A worker lost its ZooKeeper session: ask its node whether its process
   * still runs, and if not, tell the book {@link MemberBook#processEnded}.
   */
  record CheckWorker(Grant grant, String workerId) implements Effect {}

  /** A role is scaled in: this worker ("" if not registered yet) drains, its grant is returned once it owns nothing. */
  record Drain(Grant grant, String workerId) implements Effect {}

  /**
   * Send a partition action to the worker serving at {@code endpoint}; its
   * answer goes to {@link MemberBook#moveDone} or {@link MemberBook#moveFailed}.
   */
  record Tell(Action action, String endpoint) implements Effect {}
}
