package io.feitian.shennong.monitor.rules;

import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One HOCON object of a rule file, read field by field; every error names the file, the line of
 * the offending value and its path ({@code rules[2].threshold.window}).
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

  Origin origin() {
    return new Origin(file, object.origin().lineNumber());
  }

  Origin origin(String key) {
    ConfigValue v = object.get(key);
    return v == null ? origin() : new Origin(file, v.origin().lineNumber());
  }

  String path() {
    return path;
  }

  String path(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** An error at the value of {@code key}: "path.key problem". */
  RuleError bad(String key, String problem) {
    return origin(key).error(path(key) + " " + problem);
  }

  void allowOnly(Set<String> keys) {
    for (String key : new TreeSet<>(object.keySet())) {
      if (!keys.contains(key)) {
        throw bad(key, "is not a known field; expected one of " + new TreeSet<>(keys));
      }
    }
  }

  boolean has(String key) {
    return object.containsKey(key);
  }

  String string(String key) {
    ConfigValue v = required(key);
    if (v.valueType() == ConfigValueType.OBJECT || v.valueType() == ConfigValueType.LIST
        || v.valueType() == ConfigValueType.NULL) {
      throw bad(key, "must be a string, got " + v.valueType().name().toLowerCase());
    }
    return String.valueOf(v.unwrapped());
  }

  long durationMs(String key) {
    String text = string(key);
    try {
      return Durations.parseMs(text);
    } catch (IllegalArgumentException e) {
      throw bad(key, e.getMessage());
    }
  }

  long durationMs(String key, long otherwise) {
    return has(key) ? durationMs(key) : otherwise;
  }

  int count(String key, int max) {
    ConfigValue v = required(key);
    if (v.valueType() != ConfigValueType.NUMBER || !(v.unwrapped() instanceof Integer n) || n < 0 || n > max) {
      throw bad(key, "must be a whole number from 0 to " + max + ", got " + v.render());
    }
    return n;
  }

  List<String> strings(String key) {
    if (!has(key)) {
      return List.of();
    }
    ConfigValue v = object.get(key);
    if (v.valueType() != ConfigValueType.LIST) {
      throw bad(key, "must be a list of strings, such as [node, job]");
    }
    List<String> out = new ArrayList<>();
    for (ConfigValue item : (ConfigList) v) {
      if (item.valueType() != ConfigValueType.STRING) {
        throw bad(key, "must be a list of strings, got " + item.render());
      }
      out.add((String) item.unwrapped());
    }
    return out;
  }

  Fields object(String key) {
    ConfigValue v = required(key);
    if (v.valueType() != ConfigValueType.OBJECT) {
      throw bad(key, "must be an object { ... }");
    }
    return new Fields(file, path(key), (ConfigObject) v);
  }

  /** The objects of a list such as {@code rules = [ {...}, {...} ]}, named {@code key[i]}. */
  List<Fields> objects(String key) {
    if (!has(key)) {
      return List.of();
    }
    ConfigValue v = object.get(key);
    if (v.valueType() != ConfigValueType.LIST) {
      throw bad(key, "must be a list of objects [ {...}, ... ]");
    }
    List<Fields> out = new ArrayList<>();
    ConfigList list = (ConfigList) v;
    for (int i = 0; i < list.size(); i++) {
      ConfigValue item = list.get(i);
      String itemPath = path(key) + "[" + i + "]";
      if (item.valueType() != ConfigValueType.OBJECT) {
        throw new Origin(file, item.origin().lineNumber()).error(itemPath + " must be an object { ... }");
      }
      out.add(new Fields(file, itemPath, (ConfigObject) item));
    }
    return out;
  }

  /** A flat object of strings, such as {@code labels { severity = warning }}, in file order. */
  Map<String, String> stringMap(String key) {
    if (!has(key)) {
      return Map.of();
    }
    Fields inner = object(key);
    Map<String, String> out = new LinkedHashMap<>();
    for (String k : new TreeSet<>(inner.object.keySet())) {
      out.put(k, inner.string(k));
    }
    return out;
  }

  private ConfigValue required(String key) {
    ConfigValue v = object.get(key);
    if (v == null) {
      throw origin().error(path(key) + " is required");
    }
    return v;
  }
}
