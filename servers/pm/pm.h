// PM, the process manager (MINIX servers/pm): user processes and their
// signals. PM's table holds the user processes it spawned; system processes
// belong to RS and are not in it - PM only routes their signals.
#pragma once

#include <cstddef>
#include <cstdint>

#include "umk/com.h"
#include "umk/config.h"
#include "umk/types.h"

namespace umk::pm {

inline constexpr std::uint32_t MP_IN_USE = 0x1;
inline constexpr std::uint32_t MP_ZOMBIE = 0x2;  // exited, waiting for its parent's wait

struct MProc {
    std::uint32_t flags;
    endpoint_t endpoint;
    endpoint_t parent;  // who spawned it (NONE: orphan, reaped at exit)
    int pid;
    int status;  // wait status once a zombie
    char name[40];
};

// A PM_WAIT that found no zombie yet: answered when a matching child exits.
struct Waiter {
    bool in_use;
    endpoint_t who;       // blocked in PM_WAIT
    endpoint_t wait_for;  // a child, or ANY
};

// Not indexed by slot: a zombie keeps its record after the kernel freed
// (and may have reused) its slot, until its parent waits for it.
inline constexpr int NR_MPROCS = NR_PROCS + 32;
inline constexpr int NR_WAITERS = 32;

// What crosses a live update and a restart (sef_state checkpoints): the
// whole table, the suspended waits and the pid counter. Plain data; the
// version below is its layout (a new layout needs a new version that
// converts, else the update fails and RS rolls back).
inline constexpr std::uint32_t PM_STATE_VERSION = 1;
inline constexpr std::uint32_t PM_STATE_MAGIC = 0x504d5354;  // "PMST"
struct PmState {
    std::uint32_t magic;
    std::uint32_t nr_mprocs;   // NR_MPROCS of the writer
    std::uint32_t nr_waiters;  // NR_WAITERS of the writer
    std::int32_t next_pid;
    MProc mproc[NR_MPROCS];
    Waiter waiters[NR_WAITERS];
};

// A copy of the live state.
void state_save(PmState& out);
// Take over a checkpoint of `len` bytes after checking it like hostile
// input (the writer may have been corrupted): OK, or -EINVAL with *why
// naming the first problem and the live state untouched.
int state_load(const PmState& in, std::size_t len, const char** why);
// After a crash (the kernel failed every suspended PM_WAIT with ERESTART,
// the callers retry): forget the waits; `tab` (GET_PROCTAB, n entries) is
// the truth about which processes exist. A live record whose process is
// gone becomes a zombie (SIGKILL status); a user process PM does not know
// (spawned after the last checkpoint) is adopted as an orphan, or cleared
// if it never ran. Counts for the log.
struct Reconciled {
    int waits_dropped;
    int gone;
    int adopted;
    int cleared;
};
Reconciled state_reconcile(const proc_info* tab, int n);
// The checkpoint is lost: start from the kernel's table alone (every user
// process whose signal manager is PM, as an orphan with a new pid). The
// number of processes found.
int state_rebuild(const proc_info* tab, int n);
// Set by every change of the state: main checkpoints then.
bool state_dirty();
void state_clean();
int waits_pending();

void pm_init(endpoint_t self, endpoint_t rs);

int do_spawn(message& m);
int do_exit(message& m);
int do_wait(message& m);
int do_kill(message& m);
int do_srv_kill(message& m);
int do_getpid(message& m);
int handle_request(message& m);

// The SEF signal-manager callback: the kernel raised `sig` for `target`,
// whose signal manager is PM. OK, or -EDEADSRCDST if the target is gone.
int sig_manager(endpoint_t target, int sig);

// A live (not zombie) user process, or nullptr.
const MProc* user_process(endpoint_t ep);
// Any record for ep, zombies included.
const MProc* lookup(endpoint_t ep);

}  // namespace umk::pm
