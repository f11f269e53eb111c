package dev.smc.examples.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Parses {@code --name value}, {@code --name=value} and {@code --flag} options. Not thread-safe. */
final class Args {
  private final String command;
  private final Map<String, List<String>> values = new HashMap<>();
  private final List<String> positional = new ArrayList<>();

  /**
   * @param withValue options that take a value
   * @param flags options that take none
   */
  Args(String command, List<String> args, Set<String> withValue, Set<String> flags) {
    this.command = command;
    if (withValue.contains("repo")) {
      withValue = new java.util.HashSet<>(withValue);
      withValue.addAll(RemoteRepo.OPTIONS);
    }
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.startsWith("--")) {
        String name = a.substring(2);
        String value = null;
        int eq = name.indexOf('=');
        if (eq >= 0) {
          value = name.substring(eq + 1);
          name = name.substring(0, eq);
        }
        if (flags.contains(name)) {
          if (value != null) {
            throw new UsageException(command + ": --" + name + " takes no value");
          }
          values.computeIfAbsent(name, k -> new ArrayList<>()).add("true");
        } else if (withValue.contains(name)) {
          if (value == null) {
            if (i + 1 >= args.size()) {
              throw new UsageException(command + ": --" + name + " needs a value");
            }
            value = args.get(++i);
          }
          values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        } else {
          List<String> all = new ArrayList<>();
          withValue.forEach(o -> all.add("--" + o));
          flags.forEach(o -> all.add("--" + o));
          all.sort(null);
          throw new UsageException(command + ": unknown option --" + name + " (allowed: " + String.join(" ", all) + ")");
        }
      } else {
        positional.add(a);
      }
    }
  }

  String command() {
    return command;
  }

  boolean flag(String name) {
    return values.containsKey(name);
  }

  String get(String name) {
    List<String> v = values.get(name);
    if (v == null) {
      return null;
    }
    if (v.size() > 1) {
      throw new UsageException(command + ": --" + name + " given " + v.size() + " times; give it once");
    }
    return v.get(0);
  }

  String required(String name, String allowed) {
    String v = get(name);
    if (v == null || v.isEmpty()) {
      throw new UsageException(command + ": --" + name + " is required: " + allowed);
    }
    return v;
  }

  List<String> all(String name) {
    return values.getOrDefault(name, List.of());
  }

  long longValue(String name, long def, long min, long max) {
    String v = get(name);
    if (v == null) {
      return def;
    }
    try {
      long n = Long.parseLong(v.trim());
      if (n < min || n > max) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new UsageException(command + ": --" + name + " '" + v + "': allowed a whole number " + min + ".." + max);
    }
  }

  List<String> positional() {
    return positional;
  }

  void noPositional() {
    if (!positional.isEmpty()) {
      throw new UsageException(command + ": unexpected argument '" + positional.get(0) + "'");
    }
  }
}
