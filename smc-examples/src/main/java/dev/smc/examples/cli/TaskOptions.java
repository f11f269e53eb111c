package dev.smc.examples.cli;

import dev.smc.FieldError;
import dev.smc.InvalidSpecException;
import dev.smc.RunMode;
import dev.smc.TaskOptionText;
import dev.smc.TaskSpec;
import dev.smc.TransferOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * Turns the options of {@code smc task create} and {@code smc task modify} into spec values with
 * {@link TaskOptionText} (shared with the spreadsheet import of smc-batch), and names the option
 * that sets a spec field in an error. Not thread-safe; one instance per command.
 */
final class TaskOptions {
  /** The option that sets each spec field, to name it next to the field in an error. */
  private static final Map<String, String> OPTION = Map.ofEntries(
      Map.entry("name", "--name"), Map.entry("description", "--description"), Map.entry("source", "--source"),
      Map.entry("imageName", "--image-name"), Map.entry("validity", "--valid-days"),
      Map.entry("interval", "--interval"), Map.entry("maxImages", "--max-images"), Map.entry("runMode", "--run"),
      Map.entry("tags", "--tag"), Map.entry("clientToken", "--client-token"), Map.entry("excludes", "--exclude"),
      Map.entry("bandwidthLimitKBps", "--bwlimit"), Map.entry("compressionLevel", "--compress"),
      Map.entry("preSnapshot", "--pre-snapshot"), Map.entry("postSnapshot", "--post-snapshot"));

  private final TaskOptionText text = new TaskOptionText();

  /**
   * A spec's error as the command line spells it: the option that sets the field in place of the
   * field's name ({@code --max-images = '11': 1..10}), the field's name where no option of
   * {@code command} sets it.
   */
  static String describe(String command, FieldError e) {
    String f = e.field().startsWith("tags[") ? "tags" : e.field();
    String o = command.equals("task modify") && f.equals("name") ? "--new-name" : OPTION.get(f);
    if (o == null) {
      o = LayoutOptions.option(f).orElse(null);
    }
    return o == null ? e.toString() : new FieldError(o, e.value(), e.allowed()).toString();
  }

  /** See {@link TaskOptionText#interval}. */
  @Nullable
  Duration interval(@Nullable String t) {
    return text.interval(t);
  }

  @Nullable
  Integer maxImages(@Nullable String t) {
    return text.maxImages(t);
  }

  void nameAndDescription(@Nullable String name, @Nullable String description) {
    text.nameAndDescription(name, description);
  }

  RunMode runMode(@Nullable String t) {
    return text.runMode(t);
  }

  Duration validity(@Nullable String days) {
    return text.validity(days);
  }

  void tags(List<String> tags, TaskSpec.Builder b) {
    text.tags(tags, b);
  }

  TransferOptions transfer(@Nullable String bwlimit, @Nullable String compress, boolean checksum) {
    return text.transfer(bwlimit, compress, checksum);
  }

  /** Builds the spec, throwing one {@link InvalidSpecException} with the parse errors and the spec's own. */
  TaskSpec build(TaskSpec.Builder b) {
    return text.build(b);
  }

  void throwIfAny() {
    text.throwIfAny();
  }
}
