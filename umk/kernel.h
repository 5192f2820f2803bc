// The core's entry points, called by the arch.
#pragma once

#include "proc.h"
#include "umk/types.h"

namespace umk {

// One boot process: a slot with the privileges it starts with. Processes
// without `sys` start with RTS_NO_PRIV and wait for PRIVCTL from their
// parent (RS), as in MINIX; the kernel tasks are set up by kernel_init itself.
struct BootPriv {
    std::uint32_t flags;      // s_flags (SYS_PROC ...)
    std::uint32_t trap_mask;  // allowed IPC traps
    bool ipc_to_all;          // may send to every privilege id (else none; use PRIVCTL)
    bool all_calls;           // may make every kernel call (else the basic set)
    endpoint_t sig_mgr;       // signal manager (SELF resolves to the process itself)
};
struct BootProc {
    proc_nr_t nr;      // slot (0 .. NR_PROCS-1)
    const char* name;  // process name (at most PROC_NAME_LEN-1 chars)
    bool has_priv;     // false: RTS_NO_PRIV until someone grants privileges
    BootPriv priv;
};

// Reset every table and set up the kernel tasks and the boot processes. The
// arch creates their machine contexts afterwards (arch::proc_spawn) and then
// calls boot_start() to let the privileged ones run.
int kernel_init(const BootProc* boot, int nr_boot);
void boot_start();

// Traps. The arch has already copied the caller's message into the kernel
// (the TOCTOU snapshot). On return, if p is runnable the trap is complete
// (p.p_retval, MF_DELIVERMSG); otherwise arch::proc_ready completes it later.
void trap_ipc(Proc& caller, int call, endpoint_t target, const message* msg, vir_bytes table,
              std::size_t count);
void trap_kernel_call(Proc& caller, const message& request);

// A clock tick (arch timer interrupt / host timer).
void clock_tick();
clock_t_ uptime();

// The machine observed something about p: an exception (SIGSEGV, SIGILL,
// SIGFPE, SIGBUS), a forbidden host syscall (SIGSYS), the process vanished
// (SIGKILL). Routed to p's signal manager; marks p MF_HOST_DEAD if `gone`.
void proc_fault(Proc& p, int sig, bool gone);

// p's machine context has reached its first trap: it is loaded and waits
// (typically for privileges). Marks p MF_STARTED and, the first time only,
// tells the process that spawned it (SYS_SPAWN's caller, if still alive)
// with SIGKSTART, so RS can wait for a new version to be ready before it
// stops the old one. An arch whose spawn loads synchronously may never call
// it.
void proc_started(Proc& p);

// Kernel printf into the kernel log (format subset: %d %u %x %s %c %p %ld %lu %lx %llu, width).
// The text goes to the kernel message ring (umk/kmess.cc): straight to
// arch::log_write while no log reader (TTY) is registered, else to the reader.
void kprintf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// Write the log text no reader has shown yet directly with arch::log_write,
// and keep writing directly from now on. For the arch's panic path.
void kmess_flush_direct();

}  // namespace umk
