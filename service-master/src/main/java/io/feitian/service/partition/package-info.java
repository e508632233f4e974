/**
 * The partition table of a service, as a plain object: key ranges, their
 * owners and ownership epochs, and the state machine that moves a partition
 * from one worker to another so that at no moment two workers own it. The
 * service-master daemon persists it and turns its actions into
 * calls on workers; tests drive it directly.
 */
package io.feitian.service.partition;
