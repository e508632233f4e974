/**
 * Release packages: a module's version as one {@code .tar.gz} holding its descriptor
 * ({@code dayu-module.conf}) at the root and the module's files.
 *
 * <p>Model. {@link io.feitian.dayu.packages.PackageStore} keeps the published packages of
 * dayu-server under {@code <data-dir>/packages/<module>/<version>.tar.gz}. An upload is received
 * into {@code packages/.incoming/} ({@link io.feitian.dayu.packages.IncomingPackage}: written and
 * hashed as it arrives), checked, and then renamed into place: on one file system a rename is
 * atomic, so a package is either absent or whole. {@link io.feitian.dayu.packages.ReleasePackage}
 * reads an archive: its entries' names and its descriptor's text.
 *
 * <p>Invariants: a file at a package's place is whole (it was renamed there after its checksum and
 * size were checked); a published version's file never changes (a second publication of the
 * version leaves it alone); nothing is left in {@code .incoming} by a refused or cancelled upload,
 * and what a stopped server left there is deleted when the store opens.
 *
 * <p>Cost: an upload is written once and read twice (hashing as it arrives, then one
 * decompressing pass over the whole archive to check it), so publishing costs about the time to
 * gunzip the package; a fetch reads the file once.
 */
package io.feitian.dayu.packages;
