// The trap ABI between a service and the Linux-hosted kernel: one shared
// memory page per process slot, plus one kernel page shared by everybody.
//
// A trap: the service writes the request into its SlotPage, then
// increments call_seq and rings its own doorbell (SlotPage::doorbell),
// futex-waking the kernel if KernelPage::sleeping says it waits. The kernel
// notices call_seq != the last sequence it consumed, snapshots the request
// once (the service may scribble on the page at any time), checks and runs
// it, and when the trap completes writes result/msg and stores
// done_seq = call_seq (release), futex-waking the service if it sleeps.
//
// Nothing in a SlotPage is trusted by the kernel: a hostile service can only
// corrupt its own requests, or ring its own doorbell for nothing (the kernel
// then stops waiting on that doorbell until the next tick, which delays
// only that service). The KernelPage is read-only for every service (its
// memfd is sealed against writes before any service maps it), so no service
// can change what the kernel tells the others or keep it from waking.
#pragma once

#include <atomic>
#include <cstdint>

#include "umk/types.h"

namespace umk::linux_host {

inline constexpr int TRAP_IPC = 1;
inline constexpr int TRAP_KERNEL_CALL = 2;

// File descriptors a freshly spawned service finds open; the service
// library maps them before any service code runs.
inline constexpr int SLOT_PAGE_FD = 3;
inline constexpr int KERNEL_PAGE_FD = 4;

// Where a service maps them. The kernel's seccomp filter, installed before
// the program is exec'd, allows futex only on the two words of the SlotPage
// at SLOT_PAGE_ADDR and mmap of fds 3 and 4 only there: so the addresses are
// fixed, chosen far from where Linux puts a static-pie program (0x55..), its
// heap and its mmap area (0x7f..).
inline constexpr std::uint64_t SLOT_PAGE_ADDR = 0x200000000000;
inline constexpr std::uint64_t KERNEL_PAGE_ADDR = 0x200000001000;

struct alignas(64) SlotPage {
    std::atomic<std::uint32_t> call_seq;  // service: bumped once per trap
    std::atomic<std::uint32_t> done_seq;  // kernel: = call_seq when the trap completed (futex word)
    std::atomic<std::uint32_t> sleeping;  // service: 1 while in futex wait on done_seq
    std::int32_t trap;                    // TRAP_IPC or TRAP_KERNEL_CALL
    std::int32_t call;                    // IPC: SEND, RECEIVE, ...
    std::int32_t endpoint;                // IPC: destination / source; SENDA: entry count
    std::int32_t result;                  // kernel: OK or -Exxx
    std::int32_t self;                    // kernel: the endpoint of this slot (kept current)
    std::uint64_t table;                  // SENDA: address of the asynmsg_t table
    // service: bumped after each new call_seq; the kernel futex-waits on the
    // doorbells of the slots that may trap (futex_waitv), so a service can
    // wake the kernel through its own page only.
    std::atomic<std::uint32_t> doorbell;
    std::uint32_t pad[5];
    message msg;  // in: message / kernel call; out: delivered message / reply
};
static_assert(sizeof(SlotPage) <= 4096);

// Written by the kernel only; services map it read-only.
struct alignas(64) KernelPage {
    // The kernel's own wake word: bumped by its signal handlers (SIGCHLD,
    // SIGIO) and its client threads, never by a service.
    std::atomic<std::uint32_t> wake;
    std::atomic<std::uint32_t> sleeping;  // 1 while the kernel waits: a trap must FUTEX_WAKE
    std::atomic<std::uint64_t> ticks;     // uptime in ticks
    std::atomic<std::uint32_t> hz;
};
static_assert(sizeof(KernelPage) <= 4096);

}  // namespace umk::linux_host
