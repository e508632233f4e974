/**
 * The job description: its JSON form, its validation and the shape of its
 * DAG. Pure: no I/O beyond parsing the bytes handed in, so fuxi-master can
 * check a job at submission and tests drive it directly.
 */
package io.feitian.job.spec;
