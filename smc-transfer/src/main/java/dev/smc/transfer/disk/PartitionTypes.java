package dev.smc.transfer.disk;

import java.util.Map;

/** Short names of well-known GPT type GUIDs and MBR type bytes. */
final class PartitionTypes {
  private PartitionTypes() {}

  static final String GPT_LINUX_FILESYSTEM = "0FC63DAF-8483-4772-8E79-3D69D8477DE4";
  static final String GPT_LINUX_SWAP = "0657FD6D-A4AB-43C4-84E5-0933C84B4F4F";
  static final String GPT_EFI_SYSTEM = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B";
  static final String GPT_BIOS_BOOT = "21686148-6449-6E6F-744E-656564454649";
  static final String GPT_LINUX_LVM = "E6D6D379-F507-44C2-A23C-238F2A3DF928";
  static final String GPT_MICROSOFT_BASIC_DATA = "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7";

  private static final Map<String, String> GPT = Map.of(
      GPT_LINUX_FILESYSTEM, "Linux filesystem",
      GPT_LINUX_SWAP, "Linux swap",
      GPT_EFI_SYSTEM, "EFI System",
      GPT_BIOS_BOOT, "BIOS boot",
      GPT_LINUX_LVM, "Linux LVM",
      GPT_MICROSOFT_BASIC_DATA, "Microsoft basic data",
      "E3C9E316-0B5C-4DB8-817D-F92DF00215AE", "Microsoft reserved",
      "A19D880F-05FC-4D3B-A006-743F0F84911E", "Linux RAID",
      "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709", "Linux root (x86-64)",
      "BC13C2FF-59E6-4262-A352-B275FD6F7172", "Linux extended boot");

  private static final Map<Integer, String> MBR = Map.ofEntries(
      Map.entry(0x83, "Linux"),
      Map.entry(0x82, "Linux swap"),
      Map.entry(0x8e, "Linux LVM"),
      Map.entry(0xfd, "Linux RAID"),
      Map.entry(0x05, "Extended"),
      Map.entry(0x0f, "Extended (LBA)"),
      Map.entry(0x85, "Linux extended"),
      Map.entry(0x07, "NTFS/exFAT"),
      Map.entry(0x0b, "FAT32"),
      Map.entry(0x0c, "FAT32 (LBA)"),
      Map.entry(0x06, "FAT16"),
      Map.entry(0x0e, "FAT16 (LBA)"),
      Map.entry(0xef, "EFI System"),
      Map.entry(0xee, "GPT protective"));

  static String gptName(String typeGuid) {
    return GPT.getOrDefault(typeGuid, "");
  }

  static String mbrName(int type) {
    return MBR.getOrDefault(type, "");
  }

  /** The type byte as {@code sfdisk} prints it: lower-case hex without leading zeros. */
  static String mbrCode(int type) {
    return Integer.toHexString(type);
  }

  static boolean isMbrExtended(int type) {
    return type == 0x05 || type == 0x0f || type == 0x85;
  }

  static boolean isMbrExtended(String code) {
    return code.equals("5") || code.equals("f") || code.equals("85");
  }
}
