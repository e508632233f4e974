package io.feitian.dayu.descriptor;

import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * One HOCON object of a descriptor being read, with its path ("health-check.", "templates[1].")
 * so that every error names the file, the line and the field.
 */
final class Fields {
  private final String file;
  private final String path;
  private final ConfigObject object;

  Fields(String file, String path, ConfigObject object) {
    this.file = file;
    this.path = path;
    this.object = object;
  }

  DescriptorException bad(String key, String problem) {
    return badAt(at(key), field(key), problem);
  }

  DescriptorException badAt(ConfigValue at, String field, String problem) {
    return new DescriptorException(file, at.origin().lineNumber(), field, problem);
  }

  String field(String key) {
    return path + key;
  }

  /** Refuses keys outside {@code known}: a misspelt key would otherwise be silently ignored. */
  void onlyKnown(Set<String> known) {
    for (String key : object.keySet()) {
      if (!known.contains(key)) {
        throw bad(key, "is not a known field (known here: " + String.join(", ", new TreeSet<>(known)) + ")");
      }
    }
  }

  boolean has(String key) {
    return object.containsKey(key);
  }

  ConfigValue value(String key) {
    ConfigValue v = object.get(key);
    if (v == null) {
      throw new DescriptorException(file, object.origin().lineNumber(), field(key), "is missing");
    }
    return v;
  }

  /** The value at {@code key}, or the object itself when the key is absent: where an error about it points. */
  ConfigValue at(String key) {
    ConfigValue v = object.get(key);
    return v != null ? v : object;
  }

  String string(String key) {
    return scalar(value(key), field(key));
  }

  Optional<String> optString(String key) {
    return has(key) ? Optional.of(string(key)) : Optional.empty();
  }

  String string(String key, String orElse) {
    return optString(key).orElse(orElse);
  }

  String scalar(ConfigValue v, String field) {
    if (v.valueType() == ConfigValueType.OBJECT || v.valueType() == ConfigValueType.LIST || v.valueType() == ConfigValueType.NULL) {
      throw badAt(v, field, "must be a single value, got " + v.valueType().name().toLowerCase());
    }
    return String.valueOf(v.unwrapped());
  }

  Fields object(String key) {
    return object(value(key), field(key));
  }

  Fields object(ConfigValue v, String field) {
    if (!(v instanceof ConfigObject o)) {
      throw badAt(v, field, "must be an object { ... }, got " + v.valueType().name().toLowerCase());
    }
    return new Fields(file, field + ".", o);
  }

  ConfigList list(String key) {
    ConfigValue v = value(key);
    if (!(v instanceof ConfigList l)) {
      throw badAt(v, field(key), "must be a list [ ... ], got " + v.valueType().name().toLowerCase());
    }
    return l;
  }

  List<String> strings(String key) {
    ConfigList l = list(key);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < l.size(); i++) {
      out.add(scalar(l.get(i), field(key) + "[" + i + "]"));
    }
    return out;
  }

  /** The entries of an object whose keys are names (parameters, environment variables), in file order. */
  Map<String, ConfigValue> entries() {
    Map<String, ConfigValue> out = new LinkedHashMap<>();
    object.entrySet().stream()
        .sorted((a, b) -> Integer.compare(a.getValue().origin().lineNumber(), b.getValue().origin().lineNumber()))
        .forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }

  /** Runs {@code check} on a value, turning its IllegalArgumentException into one that names the field and line. */
  <T> T checked(ConfigValue at, String field, java.util.function.Supplier<T> check) {
    try {
      return check.get();
    } catch (DescriptorException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw badAt(at, field, e.getMessage());
    }
  }
}
