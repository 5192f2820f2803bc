// PM's state across a live update and a restart (umklib/sef_state.h): the
// copy that main.cc checkpoints, its validation when a new instance takes it
// over, and what a restarted PM learns from the kernel's process table.
//
// The checkpoint comes from the predecessor's memory, which may have been
// corrupted before it crashed: state_load checks every field that PM later
// uses as an index, a loop bound or a string, and takes nothing over unless
// all of it is sound.
#include "pm.h"
#include "pm_internal.h"
#include "umk/endpoint.h"
#include "umk/err.h"
#include "umk/priv_flags.h"
#include "umk/proc_flags.h"
#include "umk/sig.h"
#include "umk/str.h"
#include "umklib/log.h"
#include "umklib/pm_proto.h"
#include "umklib/syslib.h"

namespace umk::pm {
namespace {

// A process that may be in PM's table: a user or system slot, no kernel
// task, no ANY/NONE/SELF.
bool process_endpoint(endpoint_t ep) {
    const proc_nr_t slot = endpoint_slot(ep);
    return ep != ANY && ep != NONE && ep != SELF && slot_in_range(slot) && !is_kernel_slot(slot) &&
           endpoint_generation(ep) >= 0;
}

const MProc* find(const PmState& s, endpoint_t ep) {
    for (const MProc& p : s.mproc)
        if ((p.flags & MP_IN_USE) && p.endpoint == ep) return &p;
    return nullptr;
}

int check_record(const PmState& s, int i, const char** why) {
    const MProc& p = s.mproc[i];
    if (p.flags & ~(MP_IN_USE | MP_ZOMBIE)) return *why = "a record has unknown flags", -EINVAL;
    if (!(p.flags & MP_IN_USE)) {
        if (p.flags) return *why = "a free record is marked a zombie", -EINVAL;
        return OK;
    }
    if (!process_endpoint(p.endpoint)) return *why = "a record names no process", -EINVAL;
    if (p.parent != NONE && (!process_endpoint(p.parent) || p.parent == p.endpoint))
        return *why = "a record has an impossible parent", -EINVAL;
    if (p.pid < 1 || p.pid >= s.next_pid) return *why = "a pid is out of range", -EINVAL;
    if (str::nlen(p.name, sizeof p.name) == sizeof p.name)
        return *why = "a name is not terminated", -EINVAL;
    for (int j = 0; j < i; ++j) {
        const MProc& q = s.mproc[j];
        if (!(q.flags & MP_IN_USE)) continue;
        if (q.endpoint == p.endpoint) return *why = "two records for one endpoint", -EINVAL;
        if (q.pid == p.pid) return *why = "two records with one pid", -EINVAL;
    }
    return OK;
}

int check_waiter(const PmState& s, int i, const char** why) {
    const Waiter& w = s.waiters[i];
    if (!w.in_use) return OK;
    if (!process_endpoint(w.who)) return *why = "a wait names no process", -EINVAL;
    if (w.wait_for != ANY && !process_endpoint(w.wait_for))
        return *why = "a wait is for no process", -EINVAL;
    for (int j = 0; j < i; ++j)
        if (s.waiters[j].in_use && s.waiters[j].who == w.who)
            return *why = "a process waits twice", -EINVAL;
    // A suspended wait has a live child to wait for and no zombie that
    // should have answered it already.
    bool live = false;
    for (const MProc& c : s.mproc) {
        if (!(c.flags & MP_IN_USE) || c.parent != w.who) continue;
        if (w.wait_for != ANY && c.endpoint != w.wait_for) continue;
        if (c.flags & MP_ZOMBIE) return *why = "a wait is owed a zombie", -EINVAL;
        live = true;
    }
    if (!live) return *why = "a wait has no child to wait for", -EINVAL;
    if (const MProc* p = find(s, w.who); p && (p->flags & MP_ZOMBIE))
        return *why = "a zombie waits", -EINVAL;
    return OK;
}

// A user process of ours in the kernel's table: user privileges (not a
// system process) and PM as its signal manager.
bool kernel_user(const proc_info& k) {
    return k.slot >= 0 && !(k.rts_flags & RTS_SLOT_FREE) && k.priv_id >= 0 &&
           !(k.priv_flags & SYS_PROC) && k.sig_mgr == pm_self;
}

const proc_info* kernel_entry(const proc_info* tab, int n, endpoint_t ep) {
    for (int i = 0; i < n; ++i)
        if (tab[i].slot >= 0 && !(tab[i].rts_flags & RTS_SLOT_FREE) && tab[i].endpoint == ep)
            return &tab[i];
    return nullptr;
}

MProc* free_record() {
    for (MProc& p : mproc)
        if (!(p.flags & MP_IN_USE)) return &p;
    return nullptr;
}

// A user process the kernel has and PM does not: an orphan with a new pid.
bool adopt(const proc_info& k) {
    MProc* p = free_record();
    if (!p) return false;
    *p = MProc{};
    p->flags = MP_IN_USE;
    p->endpoint = k.endpoint;
    p->parent = NONE;
    p->pid = next_pid++;
    str::copy(p->name, k.name, sizeof p->name);
    dirty = true;
    return true;
}

}  // namespace

void state_save(PmState& out) {
    out.magic = PM_STATE_MAGIC;
    out.nr_mprocs = NR_MPROCS;
    out.nr_waiters = NR_WAITERS;
    out.next_pid = next_pid;
    for (int i = 0; i < NR_MPROCS; ++i) out.mproc[i] = mproc[i];
    for (int i = 0; i < NR_WAITERS; ++i) out.waiters[i] = waiters[i];
}

int state_load(const PmState& s, std::size_t len, const char** why) {
    const char* dummy = nullptr;
    if (!why) why = &dummy;
    if (len != sizeof(PmState)) return *why = "the checkpoint has another size", -EINVAL;
    if (s.magic != PM_STATE_MAGIC) return *why = "the checkpoint has no PM magic", -EINVAL;
    if (s.nr_mprocs != NR_MPROCS || s.nr_waiters != NR_WAITERS)
        return *why = "the checkpoint has another table size", -EINVAL;
    if (s.next_pid < 1) return *why = "the pid counter is out of range", -EINVAL;
    for (int i = 0; i < NR_MPROCS; ++i)
        if (int r = check_record(s, i, why); r != OK) return r;
    for (int i = 0; i < NR_WAITERS; ++i)
        if (int r = check_waiter(s, i, why); r != OK) return r;
    // Sound: take it over, free entries zeroed.
    for (int i = 0; i < NR_MPROCS; ++i)
        mproc[i] = (s.mproc[i].flags & MP_IN_USE) ? s.mproc[i] : MProc{};
    for (int i = 0; i < NR_WAITERS; ++i) waiters[i] = s.waiters[i].in_use ? s.waiters[i] : Waiter{};
    next_pid = s.next_pid;
    dirty = true;
    return OK;
}

Reconciled state_reconcile(const proc_info* tab, int n) {
    Reconciled rc{};
    for (Waiter& w : waiters) {
        if (!w.in_use) continue;
        w = Waiter{};
        ++rc.waits_dropped;
    }
    for (MProc& p : mproc) {
        if (!(p.flags & MP_IN_USE) || (p.flags & MP_ZOMBIE)) continue;
        if (kernel_entry(tab, n, p.endpoint)) continue;
        // Gone while PM was down without a signal reaching PM: its status
        // is unknown; its parent sees it killed.
        log_printf("pm: %s (endpoint %d) vanished while PM was down: a zombie killed by SIGKILL\n",
                   p.name, p.endpoint);
        p.flags |= MP_ZOMBIE;
        p.status = pm_signal_status(SIGKILL);
        ++rc.gone;
    }
    for (int i = 0; i < n; ++i) {
        const proc_info& k = tab[i];
        if (!kernel_user(k)) continue;
        const MProc* p = lookup(k.endpoint);
        if (p && !(p->flags & MP_ZOMBIE)) continue;
        if (k.rts_flags & RTS_NO_PRIV) {
            // Its spawn was cut short by the crash: it never ran, and its
            // parent never learnt of it.
            log_printf("pm: %s (endpoint %d) was never started (PM crashed spawning it): cleared\n",
                       k.name, k.endpoint);
            sys_clear(k.endpoint);
            exit_files(k.endpoint);
            ++rc.cleared;
            continue;
        }
        if (!adopt(k)) {
            log_printf("pm: process table full: %s (endpoint %d) not adopted\n", k.name,
                       k.endpoint);
            continue;
        }
        ++rc.adopted;
    }
    dirty = true;
    return rc;
}

int state_rebuild(const proc_info* tab, int n) {
    for (MProc& p : mproc) p = MProc{};
    for (Waiter& w : waiters) w = Waiter{};
    next_pid = 1;
    return state_reconcile(tab, n).adopted;
}

bool state_dirty() {
    return dirty;
}

void state_clean() {
    dirty = false;
}

int waits_pending() {
    int n = 0;
    for (const Waiter& w : waiters) n += w.in_use ? 1 : 0;
    return n;
}

}  // namespace umk::pm
