/**
 * The node side of dayu-agent: carrying out one module's deploy, upgrade or removal on this node,
 * one step at a time, so that the agent can report each step to dayu-server and pick up where it
 * stopped after a crash. No gRPC here: the daemon around it (the lead's) turns dayu-server's
 * desired state into {@link io.feitian.dayu.agent.node.NodeTask}s and implements
 * {@link io.feitian.dayu.agent.node.PackageSource} over FetchPackage.
 *
 * <ul>
 *   <li>{@link io.feitian.dayu.agent.node.StepRunner} runs a step ({@code run}) and says where a task
 *       resumes ({@code resume}), from the task's {@code Journal} on disk;
 *   <li>{@code Installer} unpacks versions and switches the {@code current} link;
 *   <li>{@link io.feitian.dayu.agent.node.ProcessControl} runs the module's process:
 *       {@link io.feitian.dayu.agent.node.Supervisor} (detached, pid file with start time) or
 *       {@link io.feitian.dayu.agent.node.SystemdControl};
 *   <li>{@link io.feitian.dayu.agent.node.HealthChecker} makes one attempt at a health check;
 *   <li>{@link io.feitian.dayu.agent.node.Drainer} drains the node before a removal; {@link
 *       io.feitian.dayu.agent.node.FuxiDrainer} does it through fuxi-master for a module that names a
 *       Fuxi cluster (task-worker).
 * </ul>
 *
 * <p>Invariants: every step is idempotent (run again after success it changes nothing); every
 * file the agent's state lives in is replaced by a rename (journal, pid file, {@code current},
 * version directories, packages), so a crash leaves the old state or the new; a process is the
 * module's only if its pid <em>and</em> kernel start time match the pid file. The on-disk layout
 * is {@link io.feitian.dayu.agent.node.NodeLayout}; docs/DAYU.md ("dayu-agent: the node side")
 * gives the decisions.
 */
package io.feitian.dayu.agent.node;
