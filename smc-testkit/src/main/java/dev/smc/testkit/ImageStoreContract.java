package dev.smc.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.smc.ErrorCode;
import dev.smc.ImageRef;
import dev.smc.SmcException;
import dev.smc.TransferOptions;
import dev.smc.spi.ChunkId;
import dev.smc.spi.ImageInfo;
import dev.smc.spi.ImageKind;
import dev.smc.spi.ImageStore;
import dev.smc.spi.ImageStore.ImageReader;
import dev.smc.spi.ImageStore.ImageWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract of {@link ImageStore}: every implementation, smc's and a vendor's, extends this
 * class and implements {@link #newStore()} and {@link #reopen()}; the inherited tests then prove
 * what the SPI's javadoc promises: images listed by name then cycle, cycle numbering and parents,
 * nothing visible before commit, chunk dedup, trees and chunks read back byte for byte, writers of
 * one name racing for a cycle number, abandoned writers leaving no image, and thread safety. More
 * of it ({@link ImageStoreConcurrencyContract}'s tests) is inherited as well.
 *
 * <pre>
 * class S3ImageStoreTest extends ImageStoreContract {
 *   private Bucket bucket;
 *   protected ImageStore newStore() { bucket = bucketForThisTest(); return S3ImageStore.open(bucket); }
 *   protected ImageStore reopen() { return S3ImageStore.open(bucket); }
 * }
 * </pre>
 *
 * <p>The tree bytes the contract writes are arbitrary, as the SPI lets an engine define them; a
 * store that reads trees (to verify or collect garbage) must not need to for these methods.
 * {@link #options()} are the transfer options of every cycle the tests write.
 */
public abstract class ImageStoreContract extends ImageStoreConcurrencyContract {

  /** {@code name}'s next image with {@code sample} written, committed with {@code props}. */
  private ImageInfo commit(ImageStore s, String name, SampleImage sample, Map<String, String> props)
      throws IOException {
    try (ImageWriter w = s.newImage(name, ImageKind.FILES, options())) {
      sample.writeTo(w);
      return w.commit(props);
    }
  }

  private ImageInfo commit(String name, long seed) throws IOException {
    return commit(store(), name, SampleImage.of(seed), Map.of("seed", Long.toString(seed)));
  }

  // ------------------------------------------------------------------ images and numbering

  @Test
  void aNewStoreHasNoImages() throws IOException {
    assertEquals(List.of(), store().images());
    assertEquals(Optional.empty(), store().image(new ImageRef("web", 1)));
  }

  @Test
  void theFirstCycleOfANameIsOneWithoutParent() throws IOException {
    try (ImageWriter w = store().newImage("web", ImageKind.FILES, options())) {
      assertEquals(new ImageRef("web", 1), w.ref());
      assertEquals(Optional.empty(), w.parent());
    }
  }

  @Test
  void eachNextCycleIsTheNewestPlusOneWithTheNewestAsParent() throws IOException {
    ImageInfo first = commit("web", 1);
    assertEquals(new ImageRef("web", 1), first.ref());
    assertEquals(Optional.empty(), first.parent());
    for (int cycle = 2; cycle <= 4; cycle++) {
      try (ImageWriter w = store().newImage("web", ImageKind.FILES, options())) {
        assertEquals(new ImageRef("web", cycle), w.ref());
        assertEquals(new ImageRef("web", cycle - 1), w.parent().orElseThrow().ref(), "parent of cycle " + cycle);
        SampleImage.of(cycle).writeTo(w);
        ImageInfo info = w.commit(Map.of());
        assertEquals(Optional.of(new ImageRef("web", cycle - 1)), info.parent());
      }
    }
    try (ImageWriter w = store().newImage("db", ImageKind.FILES, options())) {
      assertEquals(new ImageRef("db", 1), w.ref(), "another name starts at cycle 1");
    }
  }

  @Test
  void imageFindsCommittedImagesAndNothingElse() throws IOException {
    ImageInfo web = commit("web", 1);
    assertEquals(Optional.of(web), store().image(web.ref()));
    assertEquals(Optional.empty(), store().image(new ImageRef("web", 2)));
    assertEquals(Optional.empty(), store().image(new ImageRef("db", 1)));
    assertEquals(Optional.empty(), store().image(new ImageRef("we", 1)));
  }

  @Test
  void imagesAreSortedByNameThenCycle() throws IOException {
    List<ImageRef> committed = new ArrayList<>();
    String[] names = {"web", "db", "web", "app.b", "web", "app-a", "db"};
    for (int i = 0; i < names.length; i++) {
      committed.add(commit(names[i], i).ref());
    }
    for (int i = 0; i < 8; i++) { // web reaches cycle 11: sorted as a number, not as text
      committed.add(commit("web", 100 + i).ref());
    }
    List<ImageRef> want = committed.stream()
        .sorted(Comparator.comparing(ImageRef::name).thenComparingInt(ImageRef::cycle)).toList();
    assertEquals(want, store().images().stream().map(ImageInfo::ref).toList());
    assertEquals(new ImageRef("web", 11), want.get(want.size() - 1));
  }

  @Test
  void namesThatStartWithAnotherNameKeepTheirOwnCycles() throws IOException {
    String[] names = {"web", "web-CYCLE_2", "web-2", "web.old", "web", "web-CYCLE_2", "web"};
    for (int i = 0; i < names.length; i++) {
      commit(names[i], i);
    }
    List<String> listed = store().images().stream().map(i -> i.ref().toString()).toList();
    assertEquals(List.of("web-CYCLE_1", "web-CYCLE_2", "web-CYCLE_3", "web-2-CYCLE_1", "web-CYCLE_2-CYCLE_1",
        "web-CYCLE_2-CYCLE_2", "web.old-CYCLE_1"), listed);
    try (ImageWriter w = store().newImage("web", ImageKind.FILES, options())) {
      assertEquals(new ImageRef("web", 4), w.ref());
    }
    try (ImageWriter w = store().newImage("web-CYCLE_2", ImageKind.FILES, options())) {
      assertEquals(new ImageRef("web-CYCLE_2", 3), w.ref());
      assertEquals(new ImageRef("web-CYCLE_2", 2), w.parent().orElseThrow().ref());
    }
  }

  @Test
  void commitReturnsTheImageThatTheStoreListsWithKindAndProperties() throws IOException {
    Map<String, String> props = Map.of("files", "12", "bytes", "123456789", "note", "two\nlines = \\ and é",
        "empty", "", "a=b", "key with = sign", "dotted.key-name_1", "x");
    ImageInfo info;
    try (ImageWriter w = store().newImage("disks", ImageKind.BLOCKS, options())) {
      SampleImage.of(5).writeTo(w);
      info = w.commit(props);
    }
    assertEquals(new ImageRef("disks", 1), info.ref());
    assertEquals(ImageKind.BLOCKS, info.kind());
    assertEquals(props, info.properties());
    assertEquals(List.of(info), store().images());
    assertEquals(Optional.of(info), store().image(info.ref()));
    assertEquals(Optional.of(info), reopened().image(info.ref()), "the image as another handle reads it");
    try (ImageReader r = store().openImage(info.ref())) {
      assertEquals(info, r.info());
    }
  }

  // ------------------------------------------------------------------ commit and abandon

  @Test
  void nothingIsVisibleBeforeCommit() throws IOException {
    ImageStore other = reopened();
    try (ImageWriter w = store().newImage("web", ImageKind.FILES, options())) {
      SampleImage.of(1).writeTo(w);
      assertEquals(List.of(), store().images());
      assertEquals(List.of(), other.images(), "images of another handle");
      assertEquals(Optional.empty(), store().image(w.ref()));
      assertOpenFails(store(), w.ref());
      ImageInfo info = w.commit(Map.of());
      assertEquals(List.of(info), store().images());
      assertEquals(List.of(info), other.images(), "images of another handle after commit");
    }
  }

  @Test
  void aWriterClosedWithoutCommitLeavesNoImageAndItsCycleIsTakenAgain() throws IOException {
    try (ImageWriter w = store().newImage("web", ImageKind.FILES, options())) {
      SampleImage.of(1).writeTo(w);
    }
    assertEquals(List.of(), store().images());
    assertOpenFails(store(), new ImageRef("web", 1));
    ImageInfo first = commit("web", 2);
    assertEquals(new ImageRef("web", 1), first.ref(), "an abandoned cycle's number is not used up");

    ImageWriter abandoned = store().newImage("web", ImageKind.FILES, options());
    SampleImage.of(3).writeTo(abandoned);
    abandoned.close();
    abandoned.close(); // Closeable: a second close does nothing
    assertEquals(List.of(first), store().images());
    try (ImageWriter w = store().newImage("web", ImageKind.FILES, options())) {
      assertEquals(new ImageRef("web", 2), w.ref());
      assertEquals(first.ref(), w.parent().orElseThrow().ref());
      SampleImage rerun = SampleImage.of(3); // the abandoned writer's content, stored by a rerun
      rerun.writeTo(w);
      ImageInfo second = w.commit(Map.of());
      try (ImageReader r = store().openImage(second.ref())) {
        rerun.assertReadsBack(r);
      }
    }
  }

  @Test
  void twoWritersOfOneNameRaceForACycleAndTheLoserFailsWithAlreadyExists() throws IOException {
    ImageStore other = reopened();
    SampleImage mine = SampleImage.of(1);
    SampleImage theirs = SampleImage.of(2);
    try (ImageWriter a = store().newImage("web", ImageKind.FILES, options());
        ImageWriter b = other.newImage("web", ImageKind.FILES, options())) {
      assertEquals(new ImageRef("web", 1), a.ref());
      assertEquals(new ImageRef("web", 1), b.ref(), "both started before either committed");
      mine.writeTo(a);
      theirs.writeTo(b);
      ImageInfo won = b.commit(Map.of("writer", "b"));
      SmcException lost = assertThrows(SmcException.class, () -> a.commit(Map.of("writer", "a")));
      assertEquals(ErrorCode.ALREADY_EXISTS, lost.code(), lost.getMessage());
      assertEquals(List.of(won), store().images());
      assertEquals(Map.of("writer", "b"), store().image(won.ref()).orElseThrow().properties());
    }
    try (ImageReader r = store().openImage(new ImageRef("web", 1))) {
      theirs.assertReadsBack(r);
    }
    try (ImageWriter next = store().newImage("web", ImageKind.FILES, options())) {
      assertEquals(new ImageRef("web", 2), next.ref());
    }
  }

  // ------------------------------------------------------------------ chunks and trees

  @Test
  void putChunkStoresOnceAndHasChunkSeesItAfterCommit() throws IOException {
    byte[] content = SampleImage.bytes(65_536, 7);
    ChunkId id = SampleImage.idOf(content);
    ChunkId absent = SampleImage.idOf(SampleImage.bytes(100, 8));
    try (ImageWriter w = store().newImage("web", ImageKind.FILES, options())) {
      assertFalse(w.hasChunk(id), "hasChunk before any put");
      long first = w.putChunk(id, ByteBuffer.wrap(content));
      assertTrue(first > 0, "the first put of a new chunk wrote " + first + " bytes");
      assertEquals(0, w.putChunk(id, ByteBuffer.wrap(content)), "a second put of the same chunk");
      assertTrue(w.bytesStored() >= first, "bytesStored " + w.bytesStored() + " after writing " + first);
      w.writeTree(new byte[] {1, 2, 3}, 0, 3);
      w.commit(Map.of());
    }
    for (ImageStore s : List.of(store(), reopened())) {
      try (ImageWriter w = s.newImage("db", ImageKind.FILES, options())) {
        assertTrue(w.hasChunk(id), "hasChunk of a committed image's chunk");
        assertFalse(w.hasChunk(absent), "hasChunk of a chunk never stored");
        assertEquals(0, w.putChunk(id, ByteBuffer.wrap(content)), "a put of a chunk a committed image holds");
      }
    }
  }

  @Test
  void treeAndChunksReadBackByteForByte() throws IOException {
    SampleImage sample = SampleImage.of(11);
    ImageInfo info = commit(store(), "web", sample, Map.of());
    try (ImageReader r = store().openImage(info.ref())) {
      sample.assertReadsBack(r);
      try (InputStream again = r.tree()) {
        assertArrayEquals(sample.tree(), again.readAllBytes(), "tree() read a second time starts from its start");
      }
    }
    ImageReader r = reopened().openImage(info.ref());
    sample.assertReadsBack(r);
    r.close();
    r.close(); // Closeable: a second close does nothing
  }

  @Test
  void aTreeOfManyPiecesAndACompressedCycleReadBackByteForByte() throws IOException {
    SampleImage many = SampleImage.of(12, 3000);
    ImageInfo a = commit(store(), "many", many, Map.of());
    SampleImage squeezed = SampleImage.of(13);
    ImageInfo b;
    TransferOptions small = TransferOptions.builder().compressionLevel(TransferOptions.MAX_COMPRESSION_LEVEL).build();
    try (ImageWriter w = store().newImage("squeezed", ImageKind.FILES, small)) {
      squeezed.writeTo(w);
      b = w.commit(Map.of());
    }
    try (ImageReader r = store().openImage(a.ref())) {
      many.assertReadsBack(r);
    }
    try (ImageReader r = store().openImage(b.ref())) {
      squeezed.assertReadsBack(r);
    }
  }

  @Test
  void anImageWithAnEmptyTreeReadsBackEmpty() throws IOException {
    ImageInfo info;
    try (ImageWriter w = store().newImage("empty", ImageKind.FILES, options())) {
      info = w.commit(Map.of());
    }
    try (ImageReader r = store().openImage(info.ref()); InputStream in = r.tree()) {
      assertEquals(0, in.readAllBytes().length);
    }
  }

  private static void assertOpenFails(ImageStore s, ImageRef ref) {
    try (ImageReader r = s.openImage(ref)) {
      fail("openImage(" + ref + ") opened an image that was never committed: " + r.info());
    } catch (IOException | SmcException expected) {
      // either is how a store says the image is not there
    }
  }

  @Test
  @Timeout(120)
  void committedImagesSurviveReopening() throws IOException {
    SampleImage sample = SampleImage.of(21);
    ImageInfo info = commit(store(), "web", sample, Map.of("k", "v"));
    ImageStore again = reopened();
    assertEquals(List.of(info), again.images());
    try (ImageReader r = again.openImage(info.ref())) {
      sample.assertReadsBack(r);
    }
    try (ImageWriter w = again.newImage("web", ImageKind.FILES, options())) {
      assertEquals(new ImageRef("web", 2), w.ref());
      assertEquals(Optional.of(info), w.parent());
    }
  }
}
