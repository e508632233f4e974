/**
 * The job-master daemon: one per job, started by fuxi-master as the job's
 * application master. It wraps the pure {@link io.feitian.job.plan.JobRun}
 * and {@link io.feitian.job.grants.JobGrants} with Fuxi's scheduling session,
 * the Task Workers it starts on granted nodes, timers, and the JobService
 * clients watch.
 */
package io.feitian.job.master;
