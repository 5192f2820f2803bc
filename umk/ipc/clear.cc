// ipc_clear_proc: a process is going away; nobody may stay blocked on it and
// it may stay in no queue (MINIX clear_endpoint's IPC part).
#include "ipc_internal.h"
#include "umk/err.h"

namespace umk {
namespace {

// q's trap (a SEND, a SENDREC or a RECEIVE) fails with `err`. q was
// already taken out of any caller queue.
void fail_trap(Proc& q, int err) {
    const bool delayed_stop = (q.p_rts_flags & RTS_SENDING) && (q.p_misc_flags & MF_SIG_DELAY);
    q.p_retval = err;
    q.p_misc_flags &= ~MF_REPLY_PEND;
    q.p_getfrom_e = NONE;
    q.p_sendto_e = NONE;
    q.p_q_link = nullptr;
    rts_unset(q, RTS_SENDING | RTS_RECEIVING);
    if (delayed_stop) sig_delay_done(q);
}

// Take p out of the caller queue of the process it is sending to.
void unlink_from_queue(Proc& p) {
    Proc* dst = endpoint_lookup(p.p_sendto_e);
    if (!dst) return;
    for (Proc** link = &dst->p_caller_q; *link; link = &(*link)->p_q_link) {
        if (*link == &p) {
            *link = p.p_q_link;
            break;
        }
    }
    p.p_q_link = nullptr;
}

}  // namespace

void ipc_clear_proc(Proc& p) {
    if (proc_is_free(p)) return;
    const endpoint_t ep = p.p_endpoint;
    // p no longer takes part in IPC: nothing new can reach it from here on,
    // and it cannot run again before its slot is freed.
    rts_set(p, RTS_NO_ENDPOINT);

    if (p.p_rts_flags & RTS_SENDING) unlink_from_queue(p);
    p.p_rts_flags &= ~(RTS_SENDING | RTS_RECEIVING);
    p.p_sendto_e = NONE;
    p.p_getfrom_e = NONE;
    p.p_misc_flags &= ~(MF_REPLY_PEND | MF_ASYNMSG);

    // Everybody queued to send to p fails (in queue order).
    while (Proc* q = p.p_caller_q) {
        p.p_caller_q = q->p_q_link;
        fail_trap(*q, -EDSTDIED);
    }

    // Everybody waiting for a message from p specifically fails too.
    for (Proc& q : proc_table) {
        if (proc_is_free(q) || &q == &p) continue;
        if ((q.p_rts_flags & RTS_RECEIVING) && !(q.p_rts_flags & RTS_SENDING) &&
            q.p_getfrom_e == ep)
            fail_trap(q, -ESRCDIED);
    }

    // Its notifications and its SENDA table die with it. (Bits in the shared
    // user record belong to every user process, so they stay.)
    Priv* pr = p.p_priv;
    if (pr && pr != user_priv()) {
        for (sys_id_t id = 0; id < NR_SYS_PROCS; ++id) {
            if (Priv* other = priv_by_id(id)) other->s_notify_pending.reset(pr->s_id);
        }
        pr->s_asyntab = 0;
        pr->s_asynsize = 0;
        pr->s_asynendpoint = NONE;
    }
}

void ipc_fail_reply_waiters(endpoint_t e, int err) {
    for (Proc& q : proc_table) {
        if (proc_is_free(q) || q.p_endpoint == e) continue;
        if ((q.p_rts_flags & RTS_RECEIVING) && !(q.p_rts_flags & RTS_SENDING) &&
            (q.p_misc_flags & MF_REPLY_PEND) && q.p_getfrom_e == e)
            fail_trap(q, err);
    }
}

}  // namespace umk
