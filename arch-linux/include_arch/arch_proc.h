// The Linux host's per-process machine state, kept inside umk::Proc (the
// core includes this header as "arch_proc.h"). It moves with the image on
// sys_update: after a swap the slot's Proc points at the other host process,
// its SlotPage and its trap state, which is exactly what a live update means.
//
// Only the kernel thread of the host (arch-linux/src/) reads or writes it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace umk::linux_host {
struct SlotPage;
class KernelSlot;
}  // namespace umk::linux_host

namespace umk {

// What serves a slot.
enum class ArchKind : std::uint8_t {
    NONE = 0,   // no machine context (free slot, kernel task)
    HOST,       // a seccomp-confined, ptrace-seized child process
    IN_KERNEL,  // C++ code inside the kernel process (a proxy, see umk_linux/kernel_slot.h)
    CLIENT,     // a thread of the kernel process attached as a client (benchmarks, tests)
};

struct ArchProc {
    ArchKind kind;
    std::int32_t host_pid;       // HOST: the child's pid (kept after reaping, for logs)
    int memfd;                   // HOST/CLIENT: the SlotPage's memfd (-1 if none)
    linux_host::SlotPage* page;  // HOST/CLIENT: the SlotPage mapped in the kernel

    // Trap state.
    bool in_trap;            // a call was consumed and not yet completed
    std::uint32_t last_seq;  // the last call_seq consumed

    // Doorbell rings with no call behind them, this tick (loop.cc): past a
    // limit the kernel stops waiting on this slot's doorbell until the next
    // tick. bell_warned: said so in the log once.
    std::uint32_t idle_rings;
    bool bell_muted;
    bool bell_warned;

    // ptrace state (HOST).
    bool alive;        // not yet reaped
    bool stopped;      // in a ptrace stop (frozen)
    bool want_frozen;  // proc_unready asked for a stop
    // CLOCK_MONOTONIC ns by which the stop asked for must have been seen
    // (0: none pending). The kernel never waits for it (tracer.cc).
    std::int64_t stop_deadline_ns;
    std::int32_t fault_sig;  // stopped by a fatal signal (SIGSYS, SIGSEGV...), else 0
    std::uint32_t execs;     // exec events seen: the launcher's one, then none (tracer.cc)

    // IN_KERNEL: the handler and the buffer that is the slot's "memory".
    linux_host::KernelSlot* handler;
    std::byte* mem;
    std::size_t mem_len;
};

}  // namespace umk
