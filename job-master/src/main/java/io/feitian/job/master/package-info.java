/**
 * The job-master daemon: one per job, started by fuxi-master as the job's
 * application master. It wraps the pure {@link io.feitian.job.plan.JobRun}
 * with Fuxi's scheduling session, the Task Workers it starts on granted
 * nodes, and the JobService clients watch.
 */
package io.feitian.job.master;
