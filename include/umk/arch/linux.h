// The trap ABI between a service and the Linux-hosted kernel: one shared
// memory page per process slot, plus one kernel page shared by everybody.
//
// A trap: the service writes the request into its SlotPage, then
// increments call_seq (release) and rings the kernel doorbell. The kernel
// notices call_seq != the last sequence it consumed, snapshots the request
// once (the service may scribble on the page at any time), checks and runs
// it, and when the trap completes writes result/msg and stores
// done_seq = call_seq (release), futex-waking the service if it sleeps.
//
// Nothing in these pages is trusted by the kernel: a hostile service can
// only corrupt its own requests or cause spurious doorbell wake-ups.
#pragma once

#include <atomic>
#include <cstdint>

#include "umk/types.h"

namespace umk::linux_host {

inline constexpr int TRAP_IPC = 1;
inline constexpr int TRAP_KERNEL_CALL = 2;

// File descriptors a freshly spawned service finds open; the service
// library maps them and closes them before any service code runs.
inline constexpr int SLOT_PAGE_FD = 3;
inline constexpr int KERNEL_PAGE_FD = 4;

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
    std::uint32_t pad[6];
    message msg;  // in: message / kernel call; out: delivered message / reply
};
static_assert(sizeof(SlotPage) <= 4096);

struct alignas(64) KernelPage {
    std::atomic<std::uint32_t>
        doorbell;  // bumped by every trap and by the kernel's SIGCHLD handler
    std::atomic<std::uint32_t> sleeping;  // kernel: 1 while in futex wait on doorbell
    std::atomic<std::uint64_t> ticks;     // kernel: uptime in ticks (read-only for services)
    std::atomic<std::uint32_t> hz;
};
static_assert(sizeof(KernelPage) <= 4096);

}  // namespace umk::linux_host
