package io.feitian.dayu.agent.node;

import java.nio.file.Path;

/**
 * Where an agent keeps its files under its root directory (see docs/DAYU.md, "dayu-agent: the node side"):
 * <pre>
 *   packages/MODULE/VERSION.tar.gz    fetched packages (VERSION.tar.gz.part while being written)
 *   packages/MODULE/VERSION.pieces/   its pieces as they arrive from peers, served to others
 *   modules/MODULE/VERSION/           installed versions: the unpacked package and its rendered configuration
 *   modules/MODULE/current            symbolic link to the installed VERSION, switched atomically
 *   modules/MODULE/process.pid        the supervised process: pid, kernel start time, version
 *   modules/MODULE/process.launch     what was started there: version, directory, command, environment
 *   modules/MODULE/stdout.log         its output, appended across versions and restarts
 *   modules/MODULE/stderr.log
 *   journal/MODULE@VERSION.PURPOSE    the steps of a task already done
 * </pre>
 * Module names are lower-case letters, digits and '-' (the descriptor parser holds that), so
 * they are safe as file names and '@' cannot occur in them.
 */
public record NodeLayout(Path root) {
  public Path packageFile(String module, String version) {
    return packages(module).resolve(version + ".tar.gz");
  }

  /** The pieces of a package (peer-to-peer distribution): kept beside it, removed with the module. */
  public Path pieces(String module, String version) {
    return packages(module).resolve(version + ".pieces");
  }

  public Path packages(String module) {
    return root.resolve("packages").resolve(module);
  }

  public Path moduleDir(String module) {
    return root.resolve("modules").resolve(module);
  }

  public Path versionDir(String module, String version) {
    return moduleDir(module).resolve(version);
  }

  public Path current(String module) {
    return moduleDir(module).resolve("current");
  }

  public Path pidFile(String module) {
    return moduleDir(module).resolve("process.pid");
  }

  public Path launchFile(String module) {
    return moduleDir(module).resolve("process.launch");
  }

  public Path stdout(String module) {
    return moduleDir(module).resolve("stdout.log");
  }

  public Path stderr(String module) {
    return moduleDir(module).resolve("stderr.log");
  }

  public Path journalDir() {
    return root.resolve("journal");
  }
}
