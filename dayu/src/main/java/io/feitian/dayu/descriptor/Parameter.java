package io.feitian.dayu.descriptor;

import java.util.Optional;

/**
 * A parameter of a module, set per module, role or node in the configuration database and used by
 * its templates. Without a default it is required: a rollout cannot render the module's
 * configuration until it is set.
 */
public record Parameter(String name, ParamType type, Optional<String> defaultValue, String description) {
  public Parameter {
    defaultValue = defaultValue.map(type::normalize);
  }
}
