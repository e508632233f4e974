package io.feitian.dayu.rollout;

/**
 * One node's work on one module in a rollout, and how far it got: the unit the configuration
 * database records, so that a restarted server resumes after the last reported step.
 *
 * @param phase index of the module's phase; {@code batch} its batch in that phase, -1 for a node
 *     that was away when the phase was planned
 * @param applied whether the node was ever told to run it (a node not told is untouched)
 */
public record Task(String node, String module, String fromVersion, String toVersion, Purpose purpose, State state,
    int phase, int batch, int stepsDone, int stepCount, boolean applied, long lastProgressAt, long succeededAt,
    String detail) {

  /** Forward tasks take nodes to the target; rollback tasks undo a forward one. */
  public enum Purpose { FORWARD, ROLLBACK }

  public enum State {
    /** In the current batch, not started yet. */
    PENDING,
    /** Told to the node; steps are being reported. */
    RUNNING,
    SUCCEEDED,
    FAILED,
    /** The node is away; resumes from {@code stepsDone} when it returns. */
    DEFERRED,
    /** A forward task whose rollback succeeded. */
    ROLLED_BACK
  }

  String key() {
    return key(node, module, purpose);
  }

  static String key(String node, String module, Purpose purpose) {
    return node + "/" + module + "/" + purpose;
  }

  Task with(State s, long now, String why) {
    return new Task(node, module, fromVersion, toVersion, purpose, s, phase, batch, stepsDone, stepCount,
        applied || s == State.RUNNING, s == State.RUNNING ? now : lastProgressAt,
        s == State.SUCCEEDED ? now : succeededAt, why);
  }

  Task stepped(long now) {
    return new Task(node, module, fromVersion, toVersion, purpose, state, phase, batch, stepsDone + 1, stepCount,
        applied, now, succeededAt, detail);
  }
}
