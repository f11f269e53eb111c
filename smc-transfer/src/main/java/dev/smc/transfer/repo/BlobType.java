package dev.smc.transfer.repo;

/** What a stored chunk is: file or disk data, or image metadata (tree). */
enum BlobType {
  DATA, TREE;

  static BlobType byId(int id) {
    return id == 0 ? DATA : TREE;
  }

  int id() {
    return this == DATA ? 0 : 1;
  }
}
