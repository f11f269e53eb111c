package dev.smc.transfer.codec;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdException;
import dev.smc.IntegrityException;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4FastDecompressor;

/**
 * How one stored chunk is encoded. The id is written into packs and indexes, so ids never change.
 * Thread-safe.
 */
public enum Codec {
  NONE(0), LZ4(1), ZSTD(2);

  private static final LZ4Factory LZ4_FACTORY = LZ4Factory.fastestInstance();
  /** zstd contexts are costly to create (a tree has thousands of small pieces): one per thread. */
  private static final ThreadLocal<com.github.luben.zstd.ZstdDecompressCtx> ZSTD_D =
      ThreadLocal.withInitial(com.github.luben.zstd.ZstdDecompressCtx::new);
  private static final ThreadLocal<com.github.luben.zstd.ZstdCompressCtx> ZSTD_C =
      ThreadLocal.withInitial(com.github.luben.zstd.ZstdCompressCtx::new);

  /** {@link #values()} copies its array on every call; lookups of every chunk's codec use this one. */
  private static final Codec[] ALL = values();
  private final int id;

  Codec(int id) {
    this.id = id;
  }

  public int id() {
    return id;
  }

  public static Codec byId(int id) {
    for (Codec c : ALL) {
      if (c.id == id) {
        return c;
      }
    }
    throw new IntegrityException("unknown codec id " + id);
  }

  /** The most bytes {@link Compressor#compress} may write for {@code rawLength} input. */
  public static int maxCompressedLength(int rawLength) {
    return (int) Math.max(LZ4_FACTORY.fastCompressor().maxCompressedLength(rawLength), Zstd.compressBound(rawLength));
  }

  /** Decodes {@code src[off, off+len)} into {@code dst[0, rawLength)}. */
  public void decompress(byte[] src, int off, int len, byte[] dst, int rawLength) {
    switch (this) {
      case NONE -> {
        if (len != rawLength) {
          throw new IntegrityException("raw chunk of " + len + " bytes, expected " + rawLength);
        }
        System.arraycopy(src, off, dst, 0, len);
      }
      case LZ4 -> {
        LZ4FastDecompressor d = LZ4_FACTORY.fastDecompressor();
        try {
          int read = d.decompress(src, off, dst, 0, rawLength);
          if (read != len) {
            throw new IntegrityException("lz4 chunk: read " + read + " of " + len + " bytes");
          }
        } catch (net.jpountz.lz4.LZ4Exception e) {
          throw new IntegrityException("lz4 chunk is damaged: " + e.getMessage(), e);
        }
      }
      case ZSTD -> {
        long n;
        try {
          n = ZSTD_D.get().decompressByteArray(dst, 0, rawLength, src, off, len);
        } catch (ZstdException e) {
          // zstd-jni throws (rather than returning an error code) on most damage
          throw new IntegrityException("zstd chunk is damaged: " + e.getMessage(), e);
        }
        if (Zstd.isError(n) || n != rawLength) {
          throw new IntegrityException("zstd chunk is damaged: "
              + (Zstd.isError(n) ? Zstd.getErrorName(n) : n + " bytes, expected " + rawLength));
        }
      }
      default -> throw new IllegalStateException(name());
    }
  }

  /** Compresses with one codec at one native level. Thread-safe. */
  public record Compressor(Codec codec, int nativeLevel) {
    /** zstd with this thread's context; -1 when it fails or does not shrink the input. */
    private static int zstd(int level, byte[] src, int off, int len, byte[] dst) {
      try {
        int n = ZSTD_C.get().setLevel(level).compressByteArray(dst, 0, dst.length, src, off, len);
        return n < len ? n : -1;
      } catch (com.github.luben.zstd.ZstdException e) {
        return -1;
      }
    }

    /** zstd levels from here on are probed with zstd 1 first (see CompressionBenchmark). */
    static final int SLOW_LEVEL = 15;

    /**
     * Compresses {@code src[off, off+len)} into {@code dst}; returns the compressed length, or -1
     * when the result would not be smaller than the input (store it raw then).
     */
    public int compress(byte[] src, int off, int len, byte[] dst) {
      int n;
      switch (codec) {
        case LZ4 -> {
          LZ4Compressor c = nativeLevel <= 0 ? LZ4_FACTORY.fastCompressor() : LZ4_FACTORY.highCompressor(nativeLevel);
          n = c.compress(src, off, len, dst, 0, dst.length);
        }
        case ZSTD -> {
          if (nativeLevel >= SLOW_LEVEL) {
            // slow levels crawl on incompressible data: let zstd 1 decide first (~3 % of the slow cost)
            if (zstd(1, src, off, len, dst) < 0) {
              return -1;
            }
          }
          n = zstd(nativeLevel, src, off, len, dst);
          if (n < 0) {
            return -1;
          }
        }
        default -> {
          return -1;
        }
      }
      return n < len ? n : -1;
    }
  }
}
