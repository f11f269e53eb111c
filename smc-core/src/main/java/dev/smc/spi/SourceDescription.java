package dev.smc.spi;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a server is: its OS, architecture and host name where they can be told, its disks (the first is the
 * system disk) with their partition tables, partitions and file systems, and where each file system is
 * mounted. A folder source has no disks: it is one file system's worth of files. Immutable.
 *
 * @param osName the OS's own name ({@code PRETTY_NAME} of {@code /etc/os-release}, "Windows"), if known
 * @param architecture the machine the OS runs on ({@code x86_64}, {@code aarch64}, …), if known
 * @param mounts where each file system is mounted: the running system's mount table, or the server's
 *     {@code /etc/fstab} when its disks are not this machine's
 * @param warnings what could not be told and why (a file system not readable here, a mount whose device is
 *     not among the disks, …)
 */
public record SourceDescription(OsType osType, Optional<String> osName, Optional<String> architecture,
    String hostname, List<Disk> disks, List<Mount> mounts, List<String> warnings) {
  public SourceDescription {
    disks = List.copyOf(disks);
    mounts = List.copyOf(mounts);
    warnings = List.copyOf(warnings);
    for (int i = 0; i < disks.size(); i++) {
      if (disks.get(i).index() != i) {
        throw new IllegalArgumentException("disks[" + i + "] has index " + disks.get(i).index() + ", expected " + i);
      }
    }
  }

  /** A server of {@code disks}, nothing else known. */
  public SourceDescription(OsType osType, String hostname, List<Disk> disks) {
    this(osType, Optional.empty(), Optional.empty(), hostname, disks, List.of(), List.of());
  }

  public enum OsType {
    LINUX, WINDOWS, OTHER
  }

  /** The kinds of partition table. */
  public enum TableType {
    GPT, MBR, NONE
  }

  /** The disk with {@code index} (0 = the system disk). */
  public Optional<Disk> disk(int index) {
    return index >= 0 && index < disks.size() ? Optional.of(disks.get(index)) : Optional.empty();
  }

  /** Where partition {@code partition} of disk {@code disk} is mounted (0: the whole disk's file system). */
  public Optional<Mount> mountOf(int disk, int partition) {
    return mounts.stream().filter(m -> m.disk() == disk && m.partition() == partition).findFirst();
  }

  /** A partition's id as the CLI spells it: {@code DISK_PART}, {@code 0_2} = partition 2 of the system disk. */
  public static String partitionId(int disk, int partition) {
    return disk + "_" + partition;
  }

  /**
   * A disk.
   *
   * @param index its place in the server: 0 the system disk, 1.. the data disks
   * @param name the device or file it is (a kernel name such as {@code vda}, or a path)
   * @param usedBytes what a target disk must hold at least: each partition's used size where its file system
   *     says, else the whole partition
   * @param diskId the GPT disk GUID or the MBR disk id; empty without a table
   * @param fileSystem for a disk without a partition table, the file system on the whole disk
   */
  public record Disk(int index, String name, long sizeBytes, long usedBytes, TableType table, String diskId,
      List<Partition> partitions, Optional<FileSystem> fileSystem) {
    public Disk {
      partitions = List.copyOf(partitions);
    }

    /** The partition with {@code number}. */
    public Optional<Partition> partition(int number) {
      return partitions.stream().filter(p -> p.number() == number).findFirst();
    }
  }

  /**
   * A partition.
   *
   * @param number its number in the table (1-based, as {@code /dev/vda2} is 2)
   * @param type the table's type code: a GPT type GUID or an MBR type byte as two hex digits
   * @param typeName what the type means ("Linux filesystem", "BIOS boot", "Linux swap"), or empty
   * @param name the GPT partition name; empty for MBR
   * @param uuid the GPT partition GUID (PARTUUID); for MBR {@code DISKID-NN} as blkid spells it
   * @param attributes the GPT attribute bits; 0 for MBR
   * @param bootable the MBR active flag (GPT: legacy BIOS bootable, attribute bit 2)
   */
  public record Partition(int number, long startBytes, long sizeBytes, String type, String typeName, String name,
      String uuid, long attributes, boolean bootable, Optional<FileSystem> fileSystem) {
    /** Its file system's used size, if the file system says. */
    public OptionalLong usedBytes() {
      return fileSystem.map(FileSystem::usedBytes).orElse(OptionalLong.empty());
    }
  }

  /**
   * A file system (or swap, or another volume signature) as its superblock describes it.
   *
   * @param type as {@code blkid} names it: {@code ext4}, {@code xfs}, {@code btrfs}, {@code vfat}, {@code ntfs},
   *     {@code swap}, {@code LVM2_member}
   */
  public record FileSystem(String type, String uuid, String label, OptionalLong sizeBytes, OptionalLong usedBytes) {
    public boolean isSwap() {
      return type.equals("swap");
    }
  }

  /**
   * A mounted file system (or swap area in use).
   *
   * @param mountPoint {@code /}, {@code /data}; {@code none} for swap
   * @param disk the index of the disk that holds it
   * @param partition its partition number; 0 for a disk without a table
   * @param spec how the mount table names the device ({@code UUID=…}, {@code /dev/vda1})
   */
  public record Mount(String mountPoint, String fsType, int disk, int partition, String spec, String options) {}
}
