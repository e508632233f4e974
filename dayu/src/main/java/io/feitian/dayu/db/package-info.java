/**
 * Dayu's cluster configuration database: for every cluster its nodes (host,
 * rack, state, check-ins), their roles and the modules each node's agent
 * reports as installed; the catalog of modules and their published versions
 * (package SHA-256, size, descriptor) and the version of each a cluster should
 * run; parameters per module, role and node with every revision kept (who,
 * when, why); and rollouts, one per cluster at a time over several modules,
 * with the rollout core's serialized state and every node's task.
 *
 * <p>Model. {@link io.feitian.dayu.db.ConfigDatabase} opens a pool (HikariCP),
 * migrates the schema (Flyway, {@code io/feitian/dayu/db/migration}, one SQL
 * dialect for H2 and PostgreSQL) and hands out one store per concept; each
 * store keeps its SQL in a Jdbi SQL object next to the checks on its input.
 * Callers use names (cluster, host, module); ids stay inside.
 *
 * <p>Invariants, held by the database where it can:
 * <ul>
 *   <li>Every store call is one transaction: a refused write (an
 *       IllegalArgumentException whose message starts with the field) leaves
 *       every table as it was.</li>
 *   <li>Names are unique where they say so: a cluster, a host in its cluster,
 *       a module, a version of a module. A published version never changes.</li>
 *   <li>Parameter rows are only added: revision N of a cluster is the Nth
 *       {@code params set}, numbered without gaps even under concurrent
 *       writers (the cluster row is the counter and its lock).</li>
 *   <li>At most one active (RUNNING or ROLLING_BACK) rollout per cluster (a
 *       unique constraint on a flag that is NULL while the rollout is not
 *       active).</li>
 *   <li>A rollout is updated by compare-and-set on its {@code rev}; its state
 *       moves only as the rollout core moves it, SUCCEEDED and ROLLED_BACK
 *       never change, and SUCCEEDED sets the cluster's versions in the same
 *       transaction.</li>
 *   <li>A task is one row per (rollout, host, module, purpose).</li>
 * </ul>
 *
 * <p>Cost. A write is a few statements on one connection; a check-in is one
 * UPDATE. A rollout update is one UPDATE plus one batched UPDATE of the tasks
 * it lists (and a batched INSERT of new ones); reading rollouts is three
 * queries whatever their number. Values at a revision and a diff are one query each, indexed by
 * (cluster, module, scope, target, key, revision); history reads all of a
 * cluster's revisions (no paging yet).
 */
package io.feitian.dayu.db;
