package dev.smc.transfer.disk;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Reads a raw disk — a regular image file or a block device — by position only, never moving a shared file
 * pointer. Thread-safe: any number of threads may read at once (positional {@link FileChannel} reads);
 * {@link #close()} ends every read still running with an exception.
 */
public final class DiskReader implements Closeable {
  private static final Path SYS_CLASS_BLOCK = Path.of("/sys/class/block");
  private static final int S_IFMT = 0170000;
  private static final int S_IFBLK = 0060000;

  private final Path path;
  private final FileChannel channel;
  private final long size;
  private final int logicalSectorSize;
  private final boolean blockDevice;

  private DiskReader(Path path, FileChannel channel, long size, int logicalSectorSize, boolean blockDevice) {
    this.path = path;
    this.channel = channel;
    this.size = size;
    this.logicalSectorSize = logicalSectorSize;
    this.blockDevice = blockDevice;
  }

  /**
   * Opens {@code path} read-only. The size of a block device is the channel's size, or {@code
   * /sys/class/block/NAME/size} when the channel reports 0; its logical sector size comes from {@code
   * queue/logical_block_size} there (512 when absent). An image file's logical sector size is 512.
   *
   * @throws FileSystemException when {@code path} is a folder, a FIFO, a character device or a socket
   * @throws IOException when it does not exist or cannot be opened
   */
  public static DiskReader open(Path path) throws IOException {
    BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
    if (a.isDirectory()) {
      throw new FileSystemException(path.toString(), null, "a folder, not a disk image or block device");
    }
    boolean device = !a.isRegularFile() && isBlockDevice(path);
    if (!a.isRegularFile() && !device) {
      throw new FileSystemException(path.toString(), null, "neither a regular file nor a block device");
    }
    FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
    try {
      long size = ch.size();
      int sector = 512;
      if (device) {
        String name = path.toRealPath().getFileName().toString();
        if (size == 0) {
          size = sysfsSize(SYS_CLASS_BLOCK, name);
        }
        sector = sysfsLogicalSectorSize(SYS_CLASS_BLOCK, name);
      }
      return new DiskReader(path, ch, size, sector, device);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  private static boolean isBlockDevice(Path path) {
    try {
      return ((Integer) Files.getAttribute(path, "unix:mode") & S_IFMT) == S_IFBLK;
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return false;
    }
  }

  /** The size in bytes of block device {@code name} from sysfs ({@code size} counts 512-byte units). */
  static long sysfsSize(Path sysClassBlock, String name) throws IOException {
    Path f = sysClassBlock.resolve(name).resolve("size");
    String s = Files.readString(f).trim();
    try {
      long sectors = Long.parseLong(s);
      if (sectors < 0 || sectors > Long.MAX_VALUE / 512) {
        throw new NumberFormatException();
      }
      return sectors * 512;
    } catch (NumberFormatException e) {
      throw new IOException(f + ": '" + s + "' is not a size in 512-byte units", e);
    }
  }

  /** The logical sector size of {@code name} (a partition has it in its parent's queue); 512 when unknown. */
  static int sysfsLogicalSectorSize(Path sysClassBlock, String name) {
    Path dev = sysClassBlock.resolve(name);
    for (Path q : new Path[] {dev.resolve("queue/logical_block_size"), dev.resolve("../queue/logical_block_size")}) {
      try {
        int n = Integer.parseInt(Files.readString(q).trim());
        if (n >= 512 && n <= 65536 && Integer.bitCount(n) == 1) {
          return n;
        }
      } catch (IOException | NumberFormatException e) {
        // try the next place; 512 is the answer for almost every disk
      }
    }
    return 512;
  }

  /** The path this reader was opened on. */
  public Path path() {
    return path;
  }

  /** The disk's size in bytes. */
  public long size() {
    return size;
  }

  /** The device's logical sector size in bytes; 512 for an image file. */
  public int logicalSectorSize() {
    return logicalSectorSize;
  }

  /** Whether this is a block device rather than an image file. */
  public boolean isBlockDevice() {
    return blockDevice;
  }

  /**
   * Fills {@code dst} from {@code offset} on.
   *
   * @throws EOFException when the disk ends first (the message names the offset)
   */
  public void readFully(long offset, ByteBuffer dst) throws IOException {
    if (offset < 0) {
      throw new IllegalArgumentException("offset " + offset + ": must be >= 0");
    }
    if (dst.remaining() > size - offset) {
      throw new EOFException(path + ": " + dst.remaining() + " bytes at offset " + offset + " end past the disk's "
          + size + " bytes");
    }
    long pos = offset;
    while (dst.hasRemaining()) {
      int n = channel.read(dst, pos);
      if (n < 0) {
        throw new EOFException(path + ": end of disk at offset " + pos + " (expected " + size + " bytes)");
      }
      pos += n;
    }
  }

  /** {@code length} bytes from {@code offset}, as a little-endian buffer positioned at 0. */
  public ByteBuffer read(long offset, int length) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    readFully(offset, b);
    return b.flip();
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  @Override
  public String toString() {
    return path.toString();
  }
}
