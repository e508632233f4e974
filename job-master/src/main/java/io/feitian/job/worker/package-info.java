/**
 * The Task Worker: the process a job-master starts on a granted node. It pulls
 * instances from the job-master over one stream and runs each (threads of
 * this JVM for thread mode, a child process for process mode), reading its
 * inputs and committing its outputs through the node's pipeline store.
 */
package io.feitian.job.worker;
