package dev.smc.transfer.repo;

import dev.smc.ImageRef;
import dev.smc.IntegrityException;
import dev.smc.spi.ChunkId;
import dev.smc.spi.ImageInfo;
import dev.smc.spi.ImageKind;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The object that makes an image visible ({@code images/<name>-CYCLE_<n>}): a small text file
 * naming the image's kind, parent, creation time, summary properties and the chunks of its
 * metadata stream, sealed by a SHA-256 line so damage is detected.
 */
record ImageManifest(ImageRef ref, ImageKind kind, Optional<ImageRef> parent, Instant created,
    Map<String, String> properties, List<ChunkId> tree, long treeLength) {

  static final String PREFIX = "images/";
  private static final String HEADER = "smc-image 1";

  ImageManifest {
    properties = Map.copyOf(properties);
    tree = List.copyOf(tree);
  }

  static String objectName(ImageRef ref) {
    return PREFIX + ref;
  }

  ImageInfo info(boolean pinned) {
    return new ImageInfo(ref, kind, parent, created, properties, pinned);
  }

  ByteBuffer encode() {
    StringBuilder sb = new StringBuilder(HEADER).append('\n');
    sb.append("ref=").append(ref).append('\n');
    sb.append("kind=").append(kind).append('\n');
    parent.ifPresent(p -> sb.append("parent=").append(p).append('\n'));
    sb.append("created=").append(created).append('\n');
    new TreeMap<>(properties).forEach((k, v) -> sb.append("prop.").append(escapeKey(k)).append('=').append(escape(v)).append('\n'));
    sb.append("treeLength=").append(treeLength).append('\n');
    for (ChunkId id : tree) {
      sb.append("tree=").append(id.hex()).append('\n');
    }
    byte[] body = sb.toString().getBytes(StandardCharsets.UTF_8);
    String seal = "sha256=" + Hashing.sha256Hex(ByteBuffer.wrap(body)) + "\n";
    ByteBuffer out = ByteBuffer.allocate(body.length + seal.length());
    return out.put(body).put(seal.getBytes(StandardCharsets.US_ASCII)).flip();
  }

  /**
   * Parses and checks the manifest stored as object {@code name}: its seal, its fields, and that it
   * is the manifest of the image that name says.
   */
  static ImageManifest decode(ByteBuffer in, String name) {
    String text = StandardCharsets.UTF_8.decode(in.duplicate()).toString();
    int seal = text.lastIndexOf("sha256=");
    if (!text.startsWith(HEADER + "\n") || seal < 0 || !text.endsWith("\n")) {
      throw new IntegrityException("image " + name + ": not an image manifest");
    }
    String body = text.substring(0, seal);
    String want = text.substring(seal + 7, text.length() - 1);
    String got = Hashing.sha256Hex(ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)));
    if (!got.equals(want)) {
      throw new IntegrityException("image " + name + ": manifest is damaged (sha256 " + got + ", sealed " + want + ")");
    }
    ImageRef ref = null;
    ImageKind kind = null;
    ImageRef parent = null;
    Instant created = null;
    long treeLength = -1;
    Map<String, String> props = new TreeMap<>();
    List<ChunkId> tree = new ArrayList<>();
    try {
      for (String line : body.split("\n")) {
        if (line.startsWith("prop.")) {
          int eq = unescapedEquals(line);
          if (eq > 0) {
            props.put(unescape(line.substring(5, eq)), unescape(line.substring(eq + 1)));
          }
          continue;
        }
        int eq = line.indexOf('=');
        if (eq < 0) {
          continue;
        }
        String k = line.substring(0, eq);
        String v = line.substring(eq + 1);
        switch (k) {
          case "ref" -> ref = ImageRef.parse("ref", v);
          case "kind" -> kind = ImageKind.valueOf(v);
          case "parent" -> parent = ImageRef.parse("parent", v);
          case "created" -> created = Instant.parse(v);
          case "treeLength" -> treeLength = Long.parseLong(v);
          case "tree" -> tree.add(ChunkId.parse(v));
          default -> {
            // a field of a later version: ignored
          }
        }
      }
    } catch (RuntimeException e) {
      throw new IntegrityException("image " + name + ": manifest cannot be parsed: " + e.getMessage(), e);
    }
    if (ref == null || kind == null || created == null || treeLength < 0) {
      throw new IntegrityException("image " + name + ": manifest lacks ref, kind, created or treeLength");
    }
    // a manifest copied over another is whole and sealed, but it is another image's
    if (!name.equals(objectName(ref))) {
      throw new IntegrityException("image " + name + ": it holds the manifest of image " + ref
          + " (copied or moved here); it is not used");
    }
    return new ImageManifest(ref, kind, Optional.ofNullable(parent), created, props, tree, treeLength);
  }

  /** A property's key escaped like a value, and its '=' too, so the first unescaped '=' ends it. */
  private static String escapeKey(String k) {
    return escape(k).replace("=", "\\=");
  }

  /** The index of the first '=' that no backslash escapes, or -1. */
  private static int unescapedEquals(String line) {
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '=') {
        return i;
      }
    }
    return -1;
  }

  private static String escape(String v) {
    return v.replace("\\", "\\\\").replace("\n", "\\n");
  }

  private static String unescape(String v) {
    StringBuilder sb = new StringBuilder(v.length());
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c == '\\' && i + 1 < v.length()) {
        char n = v.charAt(++i);
        sb.append(n == 'n' ? '\n' : n);
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
