// Delivery of a message to a process that waits for it, shared by every IPC
// primitive and by the kernel-call trap (deliver_to).
#include "../arch.h"
#include "ipc_internal.h"
#include "umk/err.h"

namespace umk {
namespace ipc {

bool will_receive_from(const Proc& p, endpoint_t src) {
    if (!(p.p_rts_flags & RTS_RECEIVING) || (p.p_rts_flags & RTS_SENDING)) return false;
    return p.p_getfrom_e == ANY || p.p_getfrom_e == src;
}

void deliver(Proc& p, const message& m) {
    // A message is copied out before its receiver can ask for the next one;
    // overwriting one here would lose it.
    if (p.p_misc_flags & MF_DELIVERMSG) arch::panic("IPC: delivery over an undelivered message");
    p.p_delivermsg = m;
    p.p_misc_flags |= MF_DELIVERMSG;
    p.p_misc_flags &= ~MF_REPLY_PEND;
    p.p_retval = OK;
    p.p_getfrom_e = NONE;
    rts_unset(p, RTS_RECEIVING);
}

void end_send(Proc& sender) {
    sender.p_sendto_e = NONE;
    sender.p_q_link = nullptr;
    rts_unset(sender, RTS_SENDING);
    if (sender.p_misc_flags & MF_SIG_DELAY) sig_delay_done(sender);
}

bool may_send_to(const Proc& caller, const Proc& dst) {
    const Priv* from = caller.p_priv;
    const Priv* to = dst.p_priv;
    return from && to && from->s_ipc_to.test(to->s_id);
}

bool would_deadlock(const Proc& caller, bool sending, endpoint_t peer) {
    // Follow "who is xp blocked on" from the peer. Blocked chains are kept
    // acyclic by this very check, but bound the walk anyway.
    // Waiting for oneself is a cycle of one.
    if (peer == caller.p_endpoint) return true;
    int group_size = 1;
    for (int steps = 0; peer != ANY && steps < NR_TASKS + NR_PROCS; ++steps) {
        const Proc* xp = endpoint_lookup(peer);
        if (!xp) return false;
        ++group_size;
        endpoint_t next;
        if (xp->p_rts_flags & RTS_SENDING)
            next = xp->p_sendto_e;
        else if (xp->p_rts_flags & RTS_RECEIVING)
            next = xp->p_getfrom_e;
        else
            return false;
        if (next == caller.p_endpoint) {
            // Two processes where one sends and the other receives are a
            // rendezvous about to happen, not a deadlock.
            if (group_size == 2) {
                const bool peer_sending = (xp->p_rts_flags & RTS_SENDING) != 0;
                if (peer_sending != sending) return false;
            }
            return true;
        }
        peer = next;
    }
    return false;
}

}  // namespace ipc

void deliver_to(Proc& p, const message& m) {
    ipc::deliver(p, m);
}

}  // namespace umk
