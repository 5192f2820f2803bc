// The i386 trap ABI between the kernel and ring-3 services: address space
// layout, trap vectors and registers, and the read-only info page. Shared
// by arch-i386/kernel and lib/arch-i386 (the services' side of the traps).
#pragma once

#include <cstdint>

namespace umk::i386 {

// ---- Address space (every page directory) ----
// [0, KERNEL_SPACE_END): physical memory mapped 1:1, supervisor-only, in
// every address space (page 0 left unmapped to catch null pointers).
// [USER_BASE, USER_END): the service's own pages, user-accessible.
inline constexpr std::uint32_t PAGE_SIZE = 4096;
inline constexpr std::uint32_t KERNEL_SPACE_END = 0x40000000;  // 1 GiB
inline constexpr std::uint32_t USER_BASE = 0x40000000;         // services are linked here
inline constexpr std::uint32_t USER_END = 0xC0000000;
// The info page, read-only for the service (the kernel keeps it current).
inline constexpr std::uint32_t INFO_PAGE = USER_END - PAGE_SIZE;
// The user stack ends one unmapped guard page below the info page.
inline constexpr std::uint32_t USER_STACK_TOP = INFO_PAGE - PAGE_SIZE;
inline constexpr std::uint32_t USER_STACK_PAGES = 32;  // 128 KiB

// ---- Traps (software interrupts, DPL 3) ----
// IPC (as MINIX, int 33): eax = call (SEND...), ebx = endpoint or SENDA entry
// count, ecx = message address (RECEIVE/SENDREC/SEND...), edx = SENDA table.
// Kernel call (as MINIX, int 32): eax = message address.
// Both return the trap result (OK or -Exxx) in eax; other registers are kept.
inline constexpr int KERNEL_CALL_VECTOR = 32;
inline constexpr int IPC_VECTOR = 33;
// Hardware interrupts: the PICs are remapped to 0x50..0x5f (MINIX puts IRQ0
// at 0x50 too), clear of the exceptions (0..31) and the traps above.
inline constexpr int IRQ0_VECTOR = 0x50;

// ---- The info page (at INFO_PAGE in every service) ----
inline constexpr std::uint32_t INFO_MAGIC = 0x756d6b49;  // "Ikmu"
struct InfoPage {
    std::uint32_t magic;
    std::int32_t endpoint;     // this process's endpoint (rewritten after sys_update)
    std::uint32_t hz;          // clock ticks per second
    std::uint32_t tsc_per_ms;  // TSC counts per ms, as last calibrated (0: unknown)
    std::uint32_t argc;        // arguments, as main() gets them
    std::uint32_t argv;        // address of the argv array (on the user stack)
};

}  // namespace umk::i386
