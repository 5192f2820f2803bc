// Internal state of the Linux host, shared by the files of arch-linux/src/.
// Everything here belongs to the kernel thread, except the atomics that the
// signal handlers and client threads touch.
#pragma once

#include <linux/filter.h>
#include <sys/types.h>

#include <atomic>
#include <bitset>
#include <cstdarg>
#include <memory>
#include <string>
#include <vector>

#include "umk/arch/linux.h"
#include "umk/proc.h"
#include "umk_linux/host.h"
#include "umk_linux/kernel_slot.h"

namespace umk::linux_host {

inline constexpr int NR_SLOTS_TOTAL = NR_TASKS + NR_PROCS;

struct WatchedFd {
    int fd;
    short events;
    FdCallback cb;
};

// An IN_KERNEL trap completion waiting to be handed to its handler.
struct KernelCompletion {
    KernelSlot* handler;
    int result;
    bool has_msg;
    message msg;
};

// A ptrace/wait observation waiting for the loop to report it to the core
// (never from inside a core call: proc_fault re-enters the core).
struct PendingFault {
    pid_t pid;
    int sig;
    bool gone;
};

struct HostState {
    KernelPage* kpage = nullptr;
    int kpage_fd = -1;
    std::string programs_dir;
    const HostOptions* options = nullptr;
    bool booting = false;  // '@' programs are allowed only at boot

    // Slots whose SlotPage may hold a new call (HOST/CLIENT, not in a trap),
    // by table index. Scanned on every wake; idle services are in a trap
    // (RECEIVE) and cost nothing.
    std::bitset<NR_SLOTS_TOTAL> scan;

    std::vector<KernelCompletion> completions;
    std::vector<PendingFault> faults;
    std::vector<pid_t> dying;  // killed host processes not yet reaped
    std::vector<WatchedFd> watched;
    std::vector<std::unique_ptr<KernelSlot>> kernel_slots;  // owned; ArchProc points at them

    std::string log_line;  // partial kernel log line
};

HostState& host();

// Signal-handler-visible flags.
extern std::atomic<std::uint32_t> g_sigchld_count;
extern std::atomic<std::uint32_t> g_sigio_count;
extern std::atomic<bool> g_stop_requested;
// Bump the kernel's own wake word and wake the kernel if it waits
// (async-signal-safe: the signal handlers call it).
void wake_kernel(KernelPage* kp);

inline int table_index(const Proc& p) {
    return static_cast<int>(&p - proc_table);
}

// Host log line ("umk: ..."), through the kernel log.
void hlog(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// spawn.cc
int spawn_host_process(Proc& p, const char* program, const char* args, std::size_t args_len);
// A spawned child runs on the kernel's memory until its execve: the loop
// checks which children have exec'd (poll_launches, non-blocking), and
// reaping a child ends its launch (launch_done).
void poll_launches();
void launch_done(pid_t pid);
int make_slot_page(Proc& p);  // memfd + mapping; sets page->self
bool create_kernel_page();
std::string resolve_program(const std::string& program);

// tracer.cc
void reap_events();                       // every traced child, WNOHANG
void handle_status(Proc& p, int status);  // one waitpid() result for p
void freeze(Proc& p);                     // PTRACE_INTERRUPT; the stop is seen later
void check_stop_deadlines();              // kill what did not stop in time
void resume(Proc& p);                     // end a freeze (or kill a faulted process)
void kill_and_reap(Proc& p);              // SIGKILL now; reaped later (dying)
void reap_dying(bool block);              // reap the killed children (wait for them if block)
Proc* proc_by_pid(pid_t pid);
void report_faults();  // hand PendingFaults to the core

// trap.cc
bool scan_traps();            // consume new calls; true if any
void complete_trap(Proc& p);  // write the result back, wake the caller
void deliver_completions();   // IN_KERNEL handlers
void update_scan_bit(Proc& p);

// loop.cc
int run_loop();
std::int64_t now_ns();  // CLOCK_MONOTONIC
void poll_watched();

// kernel_slot.cc
int spawn_kernel_slot(Proc& p, const std::string& type, const char* name);
int spawn_client_slot(Proc& p);
void destroy_kernel_slot(Proc& p);

}  // namespace umk::linux_host

namespace umk::linux_host {
// The host's side door into KernelSlot's identity (kept out of the public API).
struct KernelSlotAccess {
    static void set_identity(KernelSlot& k, endpoint_t self, int slot) {
        k.self_ = self;
        k.slot_ = slot;
    }
};
}  // namespace umk::linux_host
