/**
 * The plan and progress of one job, as plain objects: input splits, which
 * task may start, which instance a worker runs next and what it reads,
 * what a finished or failed attempt changes. The job-master daemon wraps
 * these with RPCs; tests drive them directly.
 */
package io.feitian.job.plan;
