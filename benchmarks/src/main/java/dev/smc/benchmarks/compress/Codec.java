package dev.smc.benchmarks.compress;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * One block codec at one native level, named by a spec such as {@code lz4}, {@code lz4hc:9},
 * {@code zstd:3} or {@code deflate:6}; compresses and decompresses whole chunks held in arrays.
 *
 * <p>Not thread-safe: an instance reuses its native context (zstd) or {@link Deflater}, the way a
 * pipeline worker would keep one per thread. {@link #close()} frees native memory.
 */
interface Codec extends AutoCloseable {

  /** Largest output {@link #compress} can write for {@code rawLength} input bytes. */
  int maxCompressedLength(int rawLength);

  /** Compresses {@code src[off, off+len)} into {@code dst} from index 0; returns the length. */
  int compress(byte[] src, int off, int len, byte[] dst);

  /** Decompresses {@code src[off, off+len)} into exactly {@code rawLength} bytes of {@code dst}. */
  void decompress(byte[] src, int off, int len, byte[] dst, int rawLength);

  @Override
  default void close() {}

  /** Creates the codec a spec names; throws {@link IllegalArgumentException} for an unknown one. */
  static Codec of(String spec) {
    int colon = spec.indexOf(':');
    String name = colon < 0 ? spec : spec.substring(0, colon);
    int level = colon < 0 ? 0 : Integer.parseInt(spec.substring(colon + 1));
    switch (name) {
      case "lz4":
        return new Lz4(LZ4Factory.fastestInstance().fastCompressor());
      case "lz4hc":
        return new Lz4(LZ4Factory.fastestInstance().highCompressor(level));
      case "zstd":
        return new ZstdCodec(level);
      case "deflate":
        return new DeflateCodec(level);
      default:
        throw new IllegalArgumentException("unknown codec spec: " + spec);
    }
  }

  /** LZ4 block format; decompression through the bounds-checked (safe) decompressor. */
  final class Lz4 implements Codec {
    private final LZ4Compressor compressor;
    private final LZ4SafeDecompressor decompressor = LZ4Factory.fastestInstance().safeDecompressor();

    Lz4(LZ4Compressor compressor) {
      this.compressor = compressor;
    }

    @Override
    public int maxCompressedLength(int rawLength) {
      return compressor.maxCompressedLength(rawLength);
    }

    @Override
    public int compress(byte[] src, int off, int len, byte[] dst) {
      return compressor.compress(src, off, len, dst, 0, dst.length);
    }

    @Override
    public void decompress(byte[] src, int off, int len, byte[] dst, int rawLength) {
      int n = decompressor.decompress(src, off, len, dst, 0, rawLength);
      checkLength(n, rawLength);
    }
  }

  /** zstd frames through a reused context, so no per-chunk native allocation. */
  final class ZstdCodec implements Codec {
    private final ZstdCompressCtx cctx = new ZstdCompressCtx();
    private final ZstdDecompressCtx dctx = new ZstdDecompressCtx();

    ZstdCodec(int level) {
      cctx.setLevel(level);
    }

    @Override
    public int maxCompressedLength(int rawLength) {
      return Math.toIntExact(Zstd.compressBound(rawLength));
    }

    @Override
    public int compress(byte[] src, int off, int len, byte[] dst) {
      return cctx.compressByteArray(dst, 0, dst.length, src, off, len);
    }

    @Override
    public void decompress(byte[] src, int off, int len, byte[] dst, int rawLength) {
      checkLength(dctx.decompressByteArray(dst, 0, rawLength, src, off, len), rawLength);
    }

    @Override
    public void close() {
      cctx.close();
      dctx.close();
    }
  }

  /** java.util.zip (zlib) for reference; a reused Deflater/Inflater pair. */
  final class DeflateCodec implements Codec {
    private final Deflater deflater;
    private final Inflater inflater = new Inflater();

    DeflateCodec(int level) {
      deflater = new Deflater(level);
    }

    @Override
    public int maxCompressedLength(int rawLength) {
      // zlib's compressBound plus header/trailer slack.
      return rawLength + (rawLength >>> 12) + (rawLength >>> 14) + (rawLength >>> 25) + 64;
    }

    @Override
    public int compress(byte[] src, int off, int len, byte[] dst) {
      deflater.reset();
      deflater.setInput(src, off, len);
      deflater.finish();
      int n = 0;
      while (!deflater.finished()) {
        if (n == dst.length) {
          throw new IllegalStateException("deflate output larger than " + dst.length);
        }
        n += deflater.deflate(dst, n, dst.length - n);
      }
      return n;
    }

    @Override
    public void decompress(byte[] src, int off, int len, byte[] dst, int rawLength) {
      inflater.reset();
      inflater.setInput(src, off, len);
      try {
        int n = 0;
        while (!inflater.finished() && n < rawLength) {
          int k = inflater.inflate(dst, n, rawLength - n);
          if (k == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
            break;
          }
          n += k;
        }
        checkLength(n, rawLength);
      } catch (DataFormatException e) {
        throw new IllegalStateException("corrupt deflate stream", e);
      }
    }

    @Override
    public void close() {
      deflater.end();
      inflater.end();
    }
  }

  private static void checkLength(int actual, int expected) {
    if (actual != expected) {
      throw new IllegalStateException("decompressed " + actual + " bytes, expected " + expected);
    }
  }
}
