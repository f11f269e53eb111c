package dev.smc.batch;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Zip-bomb defence for an .xlsx before any XML parser sees it. First the central directory: the
 * declared inflated sizes, all together and per part against its compressed size. Then, because a
 * directory can lie, every part is inflated while counting the bytes that actually come out, and
 * copied into a fresh zip that the parser then reads; so the parser only ever sees bytes that were
 * counted. Stateless; thread-safe.
 */
final class InflationGuard {
  /** Small parts (styles, relations) compress far better than 100:1 and are harmless. */
  private static final long RATIO_FLOOR_BYTES = 1L << 20;

  private InflationGuard() {}

  /** Copies {@code file} to {@code copy}, refusing it as soon as a limit is passed. */
  static void copyChecked(Path file, Path copy, Limits limits) throws SheetException {
    try (ZipFile zip = new ZipFile(file.toFile())) {
      long declared = 0;
      for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
        ZipEntry e = en.nextElement();
        if (e.getSize() > 0) {
          declared += e.getSize();
          checkTotal(file, declared, limits, "declares");
          checkRatio(file, e, e.getSize(), limits);
        }
      }
      long inflated = 0;
      try (OutputStream os = Files.newOutputStream(copy); ZipOutputStream out = new ZipOutputStream(os)) {
        out.setLevel(Deflater.BEST_SPEED);
        byte[] buf = new byte[64 * 1024];
        for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
          ZipEntry e = en.nextElement();
          out.putNextEntry(new ZipEntry(e.getName()));
          long part = 0;
          try (InputStream in = zip.getInputStream(e)) {
            for (int n; (n = in.read(buf)) > 0; ) {
              part += n;
              inflated += n;
              checkTotal(file, inflated, limits, "inflates to");
              checkRatio(file, e, part, limits);
              out.write(buf, 0, n);
            }
          }
          out.closeEntry();
        }
      }
    } catch (SheetException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new SheetException(file + ": not a valid .xlsx: " + (e.getMessage() == null ? e : e.getMessage())
          + " (a truncated or damaged file, or not a workbook)", e);
    }
  }

  private static void checkTotal(Path file, long bytes, Limits limits, String verb) throws SheetException {
    if (bytes > limits.maxUnzippedBytes()) {
      throw new SheetException(file + ": refused, its parts " + verb + " more than " + limits.maxUnzippedBytes()
          + " bytes unzipped (maxUnzippedBytes); a workbook of task rows is far smaller");
    }
  }

  private static void checkRatio(Path file, ZipEntry e, long inflated, Limits limits) throws SheetException {
    long compressed = Math.max(1, e.getCompressedSize());
    if (inflated > RATIO_FLOOR_BYTES && inflated / compressed > limits.maxCompressionRatio()) {
      throw new SheetException(file + ": refused, part " + e.getName() + " inflates " + compressed + " bytes to "
          + (inflated == e.getSize() ? "" : "at least ") + inflated + " bytes, a ratio over "
          + limits.maxCompressionRatio() + " (maxCompressionRatio)");
    }
  }
}
