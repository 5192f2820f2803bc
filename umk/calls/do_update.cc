// SYS_UPDATE: live update - swap the images of two processes, so that a new
// version takes over the endpoint of the old one (MINIX
// kernel/system/do_update.c).
//   reads:  SYS_UPD_SRC_ENDPT (m1_i1), SYS_UPD_DST_ENDPT (m1_i2),
//           SYS_UPD_FLAGS (m1_i3) SYS_UPD_ROLLBACK, SYS_UPD_RESTART
//   reply:  nothing but the result
// Errors: EINVAL an endpoint names no live process; EPERM either is not a
// system process with its own privileges (or is a kernel task); EBUSY
// either is not at a safe point.
//
// Safe point (MINIX): held by RTS_NO_PRIV or RTS_SIG_PENDING, or receiving
// and not sending - which includes the receive half of a SENDREC: that is
// where a service that told RS "ready" waits, and its MF_REPLY_PEND moves
// with its image, so a reply can only complete the image that asked. umk
// also refuses (EBUSY) a process blocked sending (its message would change
// sender) or holding a delivered message not yet copied out - except that with SYS_UPD_ROLLBACK a
// pending send of the source is aborted first (later MINIX), since a rollback is how RS gets rid of
// a new version stuck halfway.
// With SYS_UPD_RESTART the source is a dead image and a replica takes over
// its endpoint (crash recovery, `restart` policy): its pending send and an
// undelivered message are dropped, and the processes waiting for its replies
// get ERESTART after the swap (the replica never saw their requests). A
// message the dead image had been handed without being answerable that way
// (it died receiving; a SENDNB, SENDA or notify completed the receive) is
// kept for the replica's first receive that accepts it (Priv::s_salvaged).
//
// The Proc records and the Priv records are exchanged; each slot keeps its
// identity: p_endpoint, p_nr, p_priv (and s_proc_nr), s_id, and what was
// addressed to it: s_notify_pending, s_int_pending, s_sig_pending,
// s_alarm_timer, s_salvaged. Everything else travels with the image.
// ipc_fix_after_swap then keeps the queued IPC with the endpoint. A second
// update of the same pair restores the original arrangement exactly
// (rollback).
#include "calls.h"
#include "umk/com.h"

namespace umk {
namespace {

bool at_safe_point(const Proc& p, bool abort_send, bool dead) {
    const std::uint32_t f = p.p_rts_flags;
    const bool minix_ok =
        (f & RTS_NO_PRIV) || (f & RTS_SIG_PENDING) || ((f & RTS_RECEIVING) && !(f & RTS_SENDING));
    if (!minix_ok) return false;
    if ((p.p_misc_flags & MF_DELIVERMSG) && !dead) return false;
    if ((f & RTS_SENDING) && !abort_send) return false;
    return true;
}

// The process, if it may be updated at all: EINVAL / EPERM otherwise.
int lookup(endpoint_t e, Proc** out) {
    Proc* p = endpoint_lookup(e);
    if (!p) return -EINVAL;
    const Priv* pr = priv(*p);
    if (is_kernel_slot(p->p_nr) || !pr || pr == user_priv() || !(pr->s_flags & SYS_PROC))
        return -EPERM;
    *out = p;
    return OK;
}

// Take p out of the caller queue it is blocked in (rollback of a new version
// stuck sending). It stays held by whatever else made it updatable.
void abort_send(Proc& p) {
    if (Proc* dst = endpoint_lookup(p.p_sendto_e)) {
        for (Proc** pp = &dst->p_caller_q; *pp; pp = &(*pp)->p_q_link) {
            if (*pp == &p) {
                *pp = p.p_q_link;
                break;
            }
        }
    }
    p.p_q_link = nullptr;
    p.p_sendto_e = NONE;
    p.p_misc_flags &= ~MF_SIG_DELAY;
    p.p_retval = -EINTR;
    rts_unset(p, RTS_SENDING);
}

// What a slot keeps, copied back from its original record.
void keep_identity(Proc& p, const Proc& orig, const Priv& orig_priv) {
    p.p_endpoint = orig.p_endpoint;
    p.p_nr = orig.p_nr;
    p.p_priv = orig.p_priv;
    Priv& pr = *p.p_priv;
    pr.s_proc_nr = orig.p_nr;
    pr.s_id = orig_priv.s_id;
    pr.s_notify_pending = orig_priv.s_notify_pending;
    pr.s_int_pending = orig_priv.s_int_pending;
    pr.s_sig_pending = orig_priv.s_sig_pending;
    pr.s_alarm_timer = orig_priv.s_alarm_timer;  // its list links are at the same address
    pr.s_salvaged = orig_priv.s_salvaged;
    pr.s_salvaged_msg = orig_priv.s_salvaged_msg;
}

// A message handed to the dead image's receive (MF_DELIVERMSG) that it never
// read: one whose sender does not wait for the dead image's answer (SENDREC
// senders get ERESTART instead, ipc_fail_reply_waiters) must not be lost.
bool must_salvage(const Proc& dead) {
    if (!(dead.p_misc_flags & MF_DELIVERMSG)) return false;
    const Proc* from = endpoint_lookup(dead.p_delivermsg.m_source);
    const bool awaits_reply =
        from && (from->p_rts_flags & RTS_RECEIVING) && !(from->p_rts_flags & RTS_SENDING) &&
        (from->p_misc_flags & MF_REPLY_PEND) && from->p_getfrom_e == dead.p_endpoint;
    return !awaits_reply;
}

}  // namespace

int do_update(Proc&, message& m) {
    const int flags = m.SYS_UPD_FLAGS;
    const bool rollback = flags & SYS_UPD_ROLLBACK;
    const bool restart = flags & SYS_UPD_RESTART;
    if (flags & ~(SYS_UPD_ROLLBACK | SYS_UPD_RESTART)) return -EINVAL;
    Proc* src = nullptr;
    Proc* dst = nullptr;
    int r = lookup(m.SYS_UPD_SRC_ENDPT, &src);
    if (r != OK) return r;
    r = lookup(m.SYS_UPD_DST_ENDPT, &dst);
    if (r != OK) return r;
    // A dead image is held by its signal (RTS_SIG_PENDING: its manager keeps
    // it frozen), never merely receiving: a live one is not restarted.
    if (restart && !(src->p_rts_flags & RTS_SIG_PENDING)) return -EBUSY;
    if (!at_safe_point(*src, rollback || restart, restart) || !at_safe_point(*dst, false, false))
        return -EBUSY;
    if (src == dst) return OK;

    if ((rollback || restart) && (src->p_rts_flags & RTS_SENDING)) abort_send(*src);
    // The dead never reads a message it was handed; one nobody waits an
    // answer for goes to the replica (Priv::s_salvaged).
    const bool salvage = restart && must_salvage(*src);
    static message salvaged;
    if (salvage) salvaged = src->p_delivermsg;
    if (restart) src->p_misc_flags &= ~MF_DELIVERMSG;

    // Static: two Proc and two Priv records are too big for a kernel stack.
    static Proc orig_src, orig_dst;
    static Priv orig_src_priv, orig_dst_priv;
    Priv& src_priv = *priv(*src);
    Priv& dst_priv = *priv(*dst);
    orig_src = *src;
    orig_dst = *dst;
    orig_src_priv = src_priv;
    orig_dst_priv = dst_priv;

    *src = orig_dst;
    *dst = orig_src;
    src_priv = orig_dst_priv;
    dst_priv = orig_src_priv;
    keep_identity(*src, orig_src, orig_src_priv);
    keep_identity(*dst, orig_dst, orig_dst_priv);

    if (salvage) {  // src's slot now holds the replica
        priv(*src)->s_salvaged = true;
        priv(*src)->s_salvaged_msg = salvaged;
    }

    ipc_fix_after_swap(*src, *dst);
    arch::proc_swapped(*src, *dst);
    if (restart) ipc_fail_reply_waiters(src->p_endpoint, -ERESTART);
    return OK;
}

}  // namespace umk
