/**
 * Release packages: a module's version as one {@code .tar.gz} holding its descriptor
 * ({@code dayu-module.conf}) at the root and the module's files.
 *
 * <p>Model. {@link io.feitian.dayu.packages.PackageStore} is where dayu-server receives uploads:
 * {@code <data-dir>/packages/.incoming/} ({@link io.feitian.dayu.packages.IncomingPackage}: written
 * and hashed as it arrives). A checked upload is published into the configuration database, which
 * keeps the packages in chunks ({@link io.feitian.dayu.db.ModuleStore#publish}), and its file is
 * deleted. {@link io.feitian.dayu.packages.ReleasePackage} reads an archive: its entries' names and
 * its descriptor's text.
 *
 * <p>Invariants: nothing is left in {@code .incoming} by a published, refused or cancelled upload,
 * and what a stopped server left there is deleted when the store opens.
 *
 * <p>Cost: an upload is written once and read three times (hashing as it arrives, one
 * decompressing pass over the whole archive to check it, one pass copying it into the database),
 * so publishing costs about the time to gunzip the package plus the database's time to write it.
 */
package io.feitian.dayu.packages;
