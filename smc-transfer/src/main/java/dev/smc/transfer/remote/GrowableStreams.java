package dev.smc.transfer.remote;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * Buffered streams whose buffer starts small and is made larger once: a connection nobody has
 * authenticated yet costs little memory, one that carries an agent's data gets the large buffers
 * that make it fast. Reads and writes at least as long as the buffer go straight through. Not
 * thread-safe: used by the connection's own thread (a close from another thread is fine).
 */
final class GrowableStreams {
  private GrowableStreams() {}

  /** An input stream read ahead into a buffer; counts the bytes it has taken from below. */
  static final class In extends InputStream {
    private final InputStream below;
    private byte[] buf;
    private int pos;
    private int end;
    private long taken;

    In(InputStream below, int size) {
      this.below = below;
      this.buf = new byte[size];
    }

    /** Makes the buffer {@code size} bytes, keeping what was read ahead; never smaller. */
    void enlarge(int size) {
      if (size > buf.length) {
        byte[] b = new byte[size];
        System.arraycopy(buf, pos, b, 0, end - pos);
        end -= pos;
        pos = 0;
        buf = b;
      }
    }

    /** Bytes taken from the stream below so far. */
    long taken() {
      return taken;
    }

    @Override
    public int read() throws IOException {
      if (pos == end && fill() < 0) {
        return -1;
      }
      return buf[pos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (pos == end) {
        if (len >= buf.length) {
          int n = below.read(b, off, len);
          if (n > 0) {
            taken += n;
          }
          return n;
        }
        if (fill() < 0) {
          return -1;
        }
      }
      int n = Math.min(len, end - pos);
      System.arraycopy(buf, pos, b, off, n);
      pos += n;
      return n;
    }

    /**
     * Reads into {@code dst} up to its limit, what was read ahead first: at least one byte, -1 at
     * the end. A Unix socket below reads straight into {@code dst}; any other through the buffer.
     */
    int read(ByteBuffer dst) throws IOException {
      if (!dst.hasRemaining()) {
        return 0;
      }
      if (pos == end && below instanceof UnixSocket.Input u) {
        int n = u.socket().read(dst);
        if (n > 0) {
          taken += n;
        }
        return n;
      }
      if (pos == end && fill() < 0) {
        return -1;
      }
      int n = Math.min(dst.remaining(), end - pos);
      dst.put(buf, pos, n);
      pos += n;
      return n;
    }

    private int fill() throws IOException {
      int n = below.read(buf, 0, buf.length);
      pos = 0;
      end = Math.max(n, 0);
      if (n > 0) {
        taken += n;
      }
      return n;
    }

    @Override
    public int available() throws IOException {
      return end - pos + below.available();
    }

    @Override
    public void close() throws IOException {
      below.close();
    }
  }

  /** An output stream gathered into a buffer until it is full or flushed. */
  static final class Out extends OutputStream {
    private final OutputStream below;
    private byte[] buf;
    private int count;

    Out(OutputStream below, int size) {
      this.below = below;
      this.buf = new byte[size];
    }

    /** Makes the buffer {@code size} bytes, keeping what it holds; never smaller. */
    void enlarge(int size) {
      if (size > buf.length) {
        byte[] b = new byte[size];
        System.arraycopy(buf, 0, b, 0, count);
        buf = b;
      }
    }

    @Override
    public void write(int b) throws IOException {
      if (count == buf.length) {
        drain();
      }
      buf[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (len >= buf.length) {
        drain();
        below.write(b, off, len);
        return;
      }
      if (len > buf.length - count) {
        drain();
      }
      System.arraycopy(b, off, buf, count, len);
      count += len;
    }

    private void drain() throws IOException {
      if (count > 0) {
        below.write(buf, 0, count);
        count = 0;
      }
    }

    @Override
    public void flush() throws IOException {
      drain();
      below.flush();
    }

    @Override
    public void close() throws IOException {
      below.close();
    }
  }
}
