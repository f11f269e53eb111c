package dev.smc.transfer.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.smc.ImageRef;
import dev.smc.spi.ImageKind;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A manifest decodes to exactly what was encoded, whatever its properties hold. */
class ImageManifestTest {
  private static final ImageRef REF = new ImageRef("web", 2);

  private static ImageManifest manifest(Map<String, String> props) {
    return new ImageManifest(REF, ImageKind.FILES, Optional.of(new ImageRef("web", 1)),
        Instant.parse("2025-01-02T03:04:05.123456789Z"), props, List.of(), 0);
  }

  @Test
  void propertyKeysAndValuesWithEqualsSignsNewlinesAndBackslashesRoundTrip() {
    Map<String, String> props = Map.of("a=b", "c=d", "line\nbreak", "two\nlines", "back\\slash", "\\n is not a newline",
        "", "empty key", "empty", "", "é", "ü=\\=");
    ImageManifest m = manifest(props);
    ImageManifest back = ImageManifest.decode(m.encode(), ImageManifest.objectName(REF));
    assertEquals(props, back.properties());
    assertEquals(m, back);
  }

  @Test
  void aManifestWrittenBeforeKeysWereEscapedReadsTheSame() {
    // what every earlier version wrote: keys as they are (engines' keys hold no '=', '\' or newline)
    String body = "smc-image 1\nref=web-CYCLE_2\nkind=FILES\ncreated=2025-01-02T03:04:05Z\nprop.bytes=12\n"
        + "prop.note=a=b\\nc\ntreeLength=0\n";
    String sealed = body + "sha256=" + Hashing.sha256Hex(ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)))
        + "\n";
    ImageManifest m = ImageManifest.decode(ByteBuffer.wrap(sealed.getBytes(StandardCharsets.UTF_8)),
        ImageManifest.objectName(REF));
    assertEquals(Map.of("bytes", "12", "note", "a=b\nc"), m.properties());
  }
}
