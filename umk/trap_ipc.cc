// The IPC trap (MINIX do_ipc): check the call, the endpoint and the
// caller's privileges in MINIX's order, then run the primitive. A check that
// fails leaves no trace.
#include "arch.h"
#include "core.h"
#include "kernel.h"
#include "umk/err.h"

namespace umk {
namespace {

// The check of an endpoint argument: OK, EDEADSRCDST for a value that could
// name a process but does not (free slot, older generation, being cleared),
// EBADSRCDST for one that can never name a process (magic, out of range).
int check_endpoint(endpoint_t e, Proc** out) {
    if (e == NONE || e == SELF || e == ANY || !slot_in_range(endpoint_slot(e))) return -EBADSRCDST;
    Proc* p = endpoint_lookup(e);
    if (!p || (p->p_rts_flags & RTS_NO_ENDPOINT)) return -EDEADSRCDST;
    *out = p;
    return OK;
}

int check_trap(const Proc& caller, int call, endpoint_t target, std::size_t count) {
    const Priv* pr = caller.p_priv;
    // Waiting for privileges: it should not even run.
    if (!pr || (caller.p_rts_flags & RTS_NO_PRIV)) return -ETRAPDENIED;

    Proc* dst = nullptr;
    if (call != SENDA) {
        if (target == ANY) {
            if (call != RECEIVE) return -EINVAL;
        } else {
            const int r = check_endpoint(target, &dst);
            if (r != OK) return r;
            if (call != RECEIVE && !(dst->p_priv && pr->s_ipc_to.test(dst->p_priv->s_id)))
                return -ECALLDENIED;
        }
    }
    if (call < 0 || call >= NR_IPC_TRAPS || !(pr->s_trap_mask & (1u << call))) return -ETRAPDENIED;
    // Kernel tasks only receive kernel calls and send notifications.
    if (dst && is_kernel_slot(dst->p_nr) && call != SENDREC && call != RECEIVE) return -ETRAPDENIED;
    if (call == SENDA && count > static_cast<std::size_t>(NR_ASYNC_MAX)) return -EDOM;
    return OK;
}

int dispatch(Proc& caller, int call, endpoint_t target, const message* msg, vir_bytes table,
             std::size_t count) {
    switch (call) {
        case SEND:
        case SENDNB:
            if (!msg) return -EFAULT;
            return mini_send(caller, target, *msg, call == SENDNB ? IPC_NON_BLOCKING : 0);
        case SENDREC: {
            if (!msg) return -EFAULT;
            // From here until the reply, only target's message may end the
            // receive (no notifications, nobody else).
            caller.p_misc_flags |= MF_REPLY_PEND;
            const int r = mini_send(caller, target, *msg, 0);
            if (r != OK && r != SUSPEND) {
                caller.p_misc_flags &= ~MF_REPLY_PEND;
                return r;
            }
            return mini_receive(caller, target, 0);
        }
        case RECEIVE:
            caller.p_misc_flags &= ~MF_REPLY_PEND;
            return mini_receive(caller, target, 0);
        case NOTIFY:
            return mini_notify(caller, target);
        case SENDA:
            return mini_senda(caller, table, count);
        default:
            return -EBADCALL;
    }
}

}  // namespace

void trap_ipc(Proc& caller, int call, endpoint_t target, const message* msg, vir_bytes table,
              std::size_t count) {
    // The arch copies a delivered message out before the process runs again.
    if (caller.p_misc_flags & MF_DELIVERMSG) arch::panic("trap_ipc: MF_DELIVERMSG still set");
    const LogSubject subject(caller);

    int r = check_trap(caller, call, target, count);
    if (r == OK) r = dispatch(caller, call, target, msg, table, count);
    // SUSPEND: the caller is blocked; whoever wakes it sets p_retval.
    if (r != SUSPEND) caller.p_retval = r;
}

}  // namespace umk
