// The multiboot (v1) information structure (the parts we use), as the boot
// loader leaves it in physical memory.
#pragma once

#include <cstdint>

namespace umk::i386 {

inline constexpr std::uint32_t MULTIBOOT_BOOTLOADER_MAGIC = 0x2BADB002;
inline constexpr std::uint32_t MBI_MEMORY = 1u << 0;
inline constexpr std::uint32_t MBI_CMDLINE = 1u << 2;
inline constexpr std::uint32_t MBI_MODS = 1u << 3;
inline constexpr std::uint32_t MBI_MMAP = 1u << 6;
inline constexpr std::uint32_t MBI_LOADER_NAME = 1u << 9;

struct MultibootInfo {
    std::uint32_t flags;
    std::uint32_t mem_lower, mem_upper;  // KiB below 1 MiB / above 1 MiB
    std::uint32_t boot_device;
    std::uint32_t cmdline;
    std::uint32_t mods_count, mods_addr;
    std::uint32_t syms[4];
    std::uint32_t mmap_length, mmap_addr;
    std::uint32_t drives_length, drives_addr;
    std::uint32_t config_table;
    std::uint32_t boot_loader_name;
};

struct MultibootModule {
    std::uint32_t mod_start, mod_end;
    std::uint32_t string;
    std::uint32_t reserved;
};

struct __attribute__((packed)) MultibootMmapEntry {
    std::uint32_t size;  // of the rest of the entry (not counting this field)
    std::uint64_t addr, len;
    std::uint32_t type;  // 1: available RAM
};

}  // namespace umk::i386
