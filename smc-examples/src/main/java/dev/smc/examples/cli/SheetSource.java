package dev.smc.examples.cli;

import dev.smc.batch.Problem;
import dev.smc.batch.Sheet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How {@code smc task import}, {@code export} and {@code template} read and write task sheet files
 * (.xlsx, .csv): the seam to {@code dev.smc.batch.SheetFiles}, which reads with hostile-file limits
 * and reports bad cells as problems. Implementations are stateless.
 */
interface SheetSource {
  /** A sheet as read, with the problems the reader found in the file. */
  record Read(Sheet sheet, List<Problem> problems) {
    public Read {
      problems = List.copyOf(problems);
    }
  }

  /** Reads {@code file}; its format follows its name (.xlsx or .csv). */
  Read read(Path file) throws IOException;

  /** Writes {@code rows} (column name to text) under {@code header} to {@code file}, format by its name. */
  void write(Path file, List<String> header, List<Map<String, String>> rows) throws IOException;

  /** Until the file reader and writer of smc-batch are wired in: every use is refused, naming the command. */
  SheetSource NOT_WIRED = new SheetSource() {
    @Override
    public Read read(Path file) {
      throw new UsageException("task import: reading " + file + ": no sheet file reader in this build");
    }

    @Override
    public void write(Path file, List<String> header, List<Map<String, String>> rows) {
      throw new UsageException("writing " + file + ": no sheet file writer in this build");
    }
  };
}
