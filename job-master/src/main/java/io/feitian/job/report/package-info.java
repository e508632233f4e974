/**
 * What a job-master reports to Shennong. {@link io.feitian.job.report.JobReport} (pure) turns
 * successive views of the job, taken on the job-master's loop, into figures ({@code job.*} per
 * task) and events (attempts failed, machines blacklisted, the job's end); the job-master's main
 * hands it to a {@link io.feitian.client.shennong.PeriodicReporter}, whose last report on exit
 * carries the job's end.
 *
 * <p>Events are differences between views, so a view that changes nothing reports none. Failed
 * attempts are numbered by {@link io.feitian.job.plan.JobRun}; a view carries the last
 * {@link io.feitian.job.plan.JobRun#RECENT_FAILURES} of them, so more failures than that within
 * one interval are counted ({@code job.attempts.failed}) but not all reported one by one.
 */
package io.feitian.job.report;
