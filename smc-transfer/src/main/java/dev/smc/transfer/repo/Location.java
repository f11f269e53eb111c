package dev.smc.transfer.repo;

import dev.smc.transfer.codec.Codec;

/** Where one chunk is stored: pack, offset and length inside it, codec and raw length. */
record Location(String pack, BlobType type, Codec codec, int offset, int storedLength, int rawLength) {}
