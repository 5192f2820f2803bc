// The privilege table: allocation of privilege ids and the standard
// privilege sets (MINIX kernel/main.c, kernel/system/do_privctl.c).
#include <initializer_list>

#include "core.h"
#include "priv.h"
#include "proc.h"

namespace umk {
namespace {

// In use, by privilege id. Kept apart from the records because sys_update
// swaps records between ids but never changes which ids are taken.
bool priv_used[NR_SYS_PROCS];

Priv* take(sys_id_t id) {
    Priv& pr = priv_table[id];
    pr = Priv{};
    pr.s_id = id;
    pr.s_proc_nr = NONE;
    pr.s_sig_mgr = NONE;
    pr.s_asynendpoint = NONE;
    priv_used[id] = true;
    return &pr;
}

}  // namespace

// Called by kernel_init: every id free, then the shared user record.
void priv_reset_all() {
    for (sys_id_t id = 0; id < NR_SYS_PROCS; ++id) {
        priv_table[id] = Priv{};
        priv_table[id].s_id = id;
        priv_table[id].s_proc_nr = NONE;
        priv_table[id].s_sig_mgr = NONE;
        priv_table[id].s_asynendpoint = NONE;
        priv_used[id] = false;
    }
    // User processes share one record (MINIX USER_PRIV_ID): they may only
    // SENDREC, to nobody until a server is added to s_ipc_to, and make no
    // kernel calls.
    Priv& user = *take(USER_PRIV_ID);
    user.s_trap_mask = 1u << SENDREC;
}

Priv* priv_alloc(sys_id_t static_id, bool dynamic) {
    if (dynamic) {
        for (sys_id_t id = NR_STATIC_PRIV_IDS; id < NR_SYS_PROCS; ++id) {
            if (priv_used[id]) continue;
            Priv* pr = take(id);
            pr->s_flags = DYN_PRIV_ID;
            return pr;
        }
        return nullptr;
    }
    if (static_id < 0 || static_id >= NR_STATIC_PRIV_IDS || priv_used[static_id]) return nullptr;
    return take(static_id);
}

void priv_free(Priv& pr) {
    // The shared user record is never freed.
    if (&pr == user_priv() || pr.s_id < 0 || pr.s_id >= NR_SYS_PROCS) return;
    const sys_id_t id = pr.s_id;
    pr = Priv{};
    pr.s_id = id;
    pr.s_proc_nr = NONE;
    pr.s_sig_mgr = NONE;
    pr.s_asynendpoint = NONE;
    priv_used[id] = false;
}

Priv* priv_by_id(sys_id_t id) {
    if (id < 0 || id >= NR_SYS_PROCS || !priv_used[id]) return nullptr;
    return &priv_table[id];
}

Priv* user_priv() {
    return &priv_table[USER_PRIV_ID];
}

void priv_set_basic_calls(Priv& pr) {
    // MINIX SYS_BASIC_CALLS, restricted to the calls umk has.
    for (int call : {SYS_EXIT, SYS_SAFECOPYFROM, SYS_SAFECOPYTO, SYS_GETINFO, SYS_TIMES,
                     SYS_SETALARM, SYS_SETGRANT, SYS_DIAGCTL})
        pr.s_k_call_mask.set(call - KERNEL_CALL);
}

void priv_set_sys_defaults(Priv& pr, endpoint_t sig_mgr) {
    pr.s_flags = SYS_PROC | PREEMPTIBLE | (pr.s_flags & DYN_PRIV_ID);
    pr.s_trap_mask = ~0u;
    pr.s_ipc_to.fill();
    pr.s_ipc_to.reset(USER_PRIV_ID);
    pr.s_k_call_mask.fill();
    pr.s_sig_mgr = sig_mgr;
}

}  // namespace umk
