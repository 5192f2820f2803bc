// RECEIVE (and the receive half of SENDREC): take, in this order, a pending
// notification, a blocked sender from the caller queue, a message from a
// SENDA table; or block until one comes (MINIX mini_receive).
#include "ipc_internal.h"
#include "umk/err.h"

namespace umk {
namespace {

bool source_matches(endpoint_t wanted, endpoint_t from) {
    return wanted == ANY || wanted == from;
}

// Lowest sender privilege id first, as in MINIX.
bool take_notification(Proc& caller, endpoint_t src) {
    Priv* pr = caller.p_priv;
    if (!pr) return false;
    for (int id = pr->s_notify_pending.find_next(0); id >= 0;
         id = pr->s_notify_pending.find_next(id + 1)) {
        const Priv* spr = priv_by_id(id);
        if (!spr || !slot_in_range(spr->s_proc_nr)) {
            // The sender's privileges are gone: nobody to name as source.
            pr->s_notify_pending.reset(id);
            continue;
        }
        const Proc& sender = *proc_addr(spr->s_proc_nr);
        if (!source_matches(src, sender.p_endpoint)) continue;
        pr->s_notify_pending.reset(id);
        ipc::deliver(caller, ipc::build_notification(sender, caller));
        return true;
    }
    return false;
}

// First matching sender from the head of the queue.
bool take_queued(Proc& caller, endpoint_t src) {
    for (Proc** link = &caller.p_caller_q; *link; link = &(*link)->p_q_link) {
        Proc& sender = **link;
        if (!source_matches(src, sender.p_endpoint)) continue;
        *link = sender.p_q_link;
        ipc::deliver(caller, sender.p_sendmsg);
        // A plain SEND is done; a SENDREC sender now waits for its reply
        // (it stays RTS_RECEIVING).
        sender.p_retval = OK;
        ipc::end_send(sender);
        return true;
    }
    return false;
}

// A message the dead predecessor at this endpoint was handed but never read
// (do_update SYS_UPD_RESTART): it came before anything still pending.
bool take_salvaged(Proc& caller, endpoint_t src) {
    Priv* pr = caller.p_priv;
    if (!pr || !pr->s_salvaged || !source_matches(src, pr->s_salvaged_msg.m_source)) return false;
    pr->s_salvaged = false;
    ipc::deliver(caller, pr->s_salvaged_msg);
    return true;
}

}  // namespace

int mini_receive(Proc& caller, endpoint_t src, int flags) {
    if (src != ANY) {
        const Proc* sp = endpoint_lookup(src);
        if (!sp || (sp->p_rts_flags & RTS_NO_ENDPOINT)) return -EDEADSRCDST;
    }
    // Still in the send half of a SENDREC: the reply cannot be here yet.
    const bool still_sending = (caller.p_rts_flags & RTS_SENDING) != 0;
    if (!still_sending) {
        // During a SENDREC only the reply may end the receive.
        if (!(caller.p_misc_flags & MF_REPLY_PEND) && take_salvaged(caller, src)) return OK;
        if (!(caller.p_misc_flags & MF_REPLY_PEND) && take_notification(caller, src)) return OK;
        if (take_queued(caller, src)) return OK;
        if ((caller.p_misc_flags & MF_ASYNMSG) && ipc::receive_async(caller, src)) return OK;
    }
    if (flags & IPC_NON_BLOCKING) return -ENOTREADY;
    // The send half of a SENDREC was checked for cycles already.
    if (!still_sending && src != ANY && ipc::would_deadlock(caller, false, src)) return -ELOCKED;
    caller.p_getfrom_e = src;
    rts_set(caller, RTS_RECEIVING);
    return SUSPEND;
}

}  // namespace umk
