/**
 * What a thread-mode task implements: {@link io.feitian.job.api.TaskProcessor}.
 * Jars of user code compile against this package only.
 */
package io.feitian.job.api;
