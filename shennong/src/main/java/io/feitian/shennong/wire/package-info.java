/**
 * Conversions between the pure cores and the messages of {@code feitian.shennong.v1}: a write
 * request applied to a store, partials to and from their wire form, subscription requests checked
 * into queries, merged values into results. No RPC and no threads (an ArchUnit test holds that);
 * every error is an IllegalArgumentException naming the field as the proto spells it, which the
 * daemons turn into INVALID_ARGUMENT.
 */
package io.feitian.shennong.wire;
