/**
 * Dayu module descriptors: the {@code dayu-module.conf} (HOCON) inside every release package, read
 * by {@link io.feitian.dayu.descriptor.DescriptorParser} into a
 * {@link io.feitian.dayu.descriptor.ModuleDescriptor}, and the
 * {@link io.feitian.dayu.descriptor.ModuleGraph} of a set of module versions.
 *
 * <p>No I/O: the parser gets the file's text and name. Every refusal is a
 * {@link io.feitian.dayu.descriptor.DescriptorException} naming the file, line and field. The
 * format is documented in docs/DAYU.md; Feitian's own descriptors are resources under
 * {@code io/feitian/dayu/modules/}.
 */
package io.feitian.dayu.descriptor;
