package io.feitian.dayu.db;

import java.util.Optional;

/**
 * One key set (or removed, with an empty value) by a parameter revision.
 * {@code target} is empty for {@link ParamScope#MODULE}, a role's name for
 * ROLE, a host for NODE.
 */
public record ParamChange(String module, ParamScope scope, String target, String key, Optional<String> value) {

  public static ParamChange set(String module, ParamScope scope, String target, String key, String value) {
    return new ParamChange(module, scope, target, key, Optional.of(value));
  }

  public static ParamChange remove(String module, ParamScope scope, String target, String key) {
    return new ParamChange(module, scope, target, key, Optional.empty());
  }
}
