package dev.smc.transfer.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Where packs are cut: the repository's size, or about two seconds of a limited link. */
class PackTargetTest {
  private static final int MIB = 1 << 20;

  @Test
  void unlimitedKeepsTheRepositorysPackSize() {
    assertEquals(16 * MIB, RepositoryImageWriter.packTarget(16 * MIB, 0));
  }

  @Test
  void aLimitedLinkCutsPacksOfTwoSecondsBetweenOneMibAndThePackSize() {
    assertEquals(4 * MIB, RepositoryImageWriter.packTarget(16 * MIB, 2048));
    assertEquals(MIB, RepositoryImageWriter.packTarget(16 * MIB, 100));
    assertEquals(16 * MIB, RepositoryImageWriter.packTarget(16 * MIB, 100 * 1024));
    assertEquals(64 * 1024, RepositoryImageWriter.packTarget(64 * 1024, 100));
  }
}
