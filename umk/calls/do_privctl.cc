// SYS_PRIVCTL: give or take privileges (MINIX kernel/system/do_privctl.c).
//   reads:  CTL_ENDPT (m2_i1, SELF allowed), CTL_REQUEST (m2_i2),
//           CTL_ARG_PTR (m2_p1) a priv_args in the caller (SET_SYS,
//           SET_USER), or 0
//   reply:  nothing but the result
// The caller must be a system process (EPERM); the target must be a live
// process (EINVAL), not a kernel task (EPERM).
//   SYS_PRIV_ALLOW     let a process with privileges run: needs RTS_NO_PRIV
//                      and a privilege record, else EPERM
//   SYS_PRIV_DISALLOW  stop it again (RTS_NO_PRIV); EPERM if already
//   SYS_PRIV_SET_SYS   own privilege record for a process held by
//                      RTS_NO_PRIV (EPERM otherwise). Without an argument:
//                      a dynamic id and the defaults of a system process
//                      (priv_set_sys_defaults), signal manager = the caller
//                      (MINIX: RS, which is who makes this call). With a
//                      priv_args: its static id unless DYN_PRIV_ID (id not
//                      a boot-process id EINVAL, taken EBUSY, no dynamic
//                      id left ENOSPC), and its flags, signal manager (SELF:
//                      the target; NONE or a live endpoint, else EINVAL),
//                      traps, send mask, call mask, IRQs and I/O ranges
//                      (too many EINVAL).
//   SYS_PRIV_SET_USER  share the user record (RTS_NO_PRIV needed, EPERM).
//                      The user processes' signal manager is a property of
//                      that shared record: a priv_args argument sets it (its
//                      sig_mgr: NONE or a live endpoint); without one, if
//                      the record has no manager yet, the process in PM's
//                      slot (PM_PROC_NR) becomes it when there is one.
// Send masks stay symmetric as in MINIX: allowing A to send to B also lets B
// send to A (unless B may only RECEIVE); a bit never names an unused id or
// the process itself. The ADD_IO/ADD_MEM/ADD_IRQ/QUERY_MEM requests are not
// implemented (EINVAL).
#include "calls.h"
#include "umk/priv_args.h"

namespace umk {
namespace {

constexpr int NR_ARG_IO = sizeof(priv_args::io_tab) / sizeof(priv_args::io_tab[0]);
constexpr int NR_ARG_IRQ = sizeof(priv_args::irq_tab) / sizeof(priv_args::irq_tab[0]);
static_assert(NR_ARG_IO <= NR_IO_RANGE && NR_ARG_IRQ <= NR_IRQ);

void set_sendto_bit(Priv& pr, sys_id_t id) {
    Priv* other = priv_by_id(id);
    if (!other || other == &pr) {
        pr.s_ipc_to.reset(id);
        return;
    }
    pr.s_ipc_to.set(id);
    // The target must be able to reply, unless all it can do is receive.
    if (other->s_trap_mask & ~(1u << RECEIVE)) other->s_ipc_to.set(pr.s_id);
}

void unset_sendto_bit(Priv& pr, sys_id_t id) {
    pr.s_ipc_to.reset(id);
    if (Priv* other = priv_by_id(id)) other->s_ipc_to.reset(pr.s_id);
}

// A signal manager named in a request: NONE, the target itself, or a live
// process. Returns false for anything else.
bool resolve_sig_mgr(endpoint_t e, const Proc& target, endpoint_t* out) {
    if (e == SELF) e = target.p_endpoint;
    if (e != NONE && e != target.p_endpoint && !endpoint_lookup(e)) return false;
    *out = e;
    return true;
}

bool own_priv(const Proc& p) {
    return priv(p) && priv(p) != user_priv();
}

// Give a process's own record back. Nobody keeps a send bit for the id,
// so that its next owner starts unreachable.
void release_priv(Priv& pr) {
    for (sys_id_t i = 0; i < NR_SYS_PROCS; ++i)
        if (Priv* other = priv_by_id(i)) other->s_ipc_to.reset(pr.s_id);
    reset_timer(pr.s_alarm_timer);
    priv_free(pr);
}

bool valid_static_id(sys_id_t id) {
    return id >= NR_TASKS && id < NR_STATIC_PRIV_IDS && id != USER_PRIV_ID;
}

int set_sys(Proc& caller, Proc& p, vir_bytes arg_ptr) {
    if (!(p.p_rts_flags & RTS_NO_PRIV)) return -EPERM;

    // ---- decode ----
    priv_args a{};
    const bool have_args = arg_ptr != 0;
    if (have_args) {
        const int r = arch::copy_from_proc(caller, arg_ptr, &a, sizeof(a));
        if (r != OK) return r;
    }
    const bool dynamic = !have_args || (a.flags & DYN_PRIV_ID);
    endpoint_t mgr = caller.p_endpoint;
    if (have_args) {
        if (!resolve_sig_mgr(a.sig_mgr, p, &mgr)) return -EINVAL;
        if ((a.flags & CHECK_IRQ) && (a.nr_irq < 0 || a.nr_irq > NR_ARG_IRQ)) return -EINVAL;
        if ((a.flags & CHECK_IO_PORT) && (a.nr_io_range < 0 || a.nr_io_range > NR_ARG_IO))
            return -EINVAL;
        if (!dynamic && !valid_static_id(a.id)) {
            kprintf("privctl: %d is not a static privilege id\n", a.id);
            return -EINVAL;
        }
    }

    // Keep the record the process already has when it fits the request;
    // else allocate the new one before letting go of the old, so that a
    // failure leaves everything as it was.
    Priv* old = own_priv(p) ? priv(p) : nullptr;
    Priv* pr = nullptr;
    if (old && (dynamic ? old->s_id >= NR_STATIC_PRIV_IDS : old->s_id == a.id)) {
        pr = old;
        old = nullptr;
    } else if (dynamic) {
        pr = priv_alloc(0, true);
        if (!pr) {
            kprintf("privctl: no dynamic privilege id left for %s\n", p.p_name);
            return -ENOSPC;
        }
    } else {
        if (priv_by_id(a.id) || !(pr = priv_alloc(a.id, false))) return -EBUSY;
    }

    // ---- perform ----
    if (old) release_priv(*old);
    const sys_id_t id = pr->s_id;
    reset_timer(pr->s_alarm_timer);
    *pr = Priv{};  // no pending notifications, interrupts, signals, SENDA, grants
    pr->s_id = id;
    pr->s_proc_nr = p.p_nr;
    pr->s_asynendpoint = NONE;
    pr->s_flags = id >= NR_STATIC_PRIV_IDS ? DYN_PRIV_ID : 0;
    priv_set_sys_defaults(*pr, mgr);
    Bitmap<NR_SYS_PROCS> send_to = pr->s_ipc_to;

    if (have_args) {
        pr->s_flags = (a.flags & ~DYN_PRIV_ID) | (id >= NR_STATIC_PRIV_IDS ? DYN_PRIV_ID : 0);
        pr->s_trap_mask = a.trap_mask;
        send_to.clear();
        for (int i = 0; i < NR_SYS_PROCS; ++i)
            if ((a.ipc_to[i / 64] >> (i % 64)) & 1u) send_to.set(i);
        pr->s_k_call_mask.clear();
        for (int k = 0; k < NR_SYS_CALLS && k < 64; ++k)
            if ((a.k_call_mask >> k) & 1u) pr->s_k_call_mask.set(k);
        if (a.flags & CHECK_IRQ) {
            pr->s_nr_irq = a.nr_irq;
            for (int i = 0; i < a.nr_irq; ++i) pr->s_irq_tab[i] = a.irq_tab[i];
        }
        if (a.flags & CHECK_IO_PORT) {
            pr->s_nr_io_range = a.nr_io_range;
            for (int i = 0; i < a.nr_io_range; ++i)
                pr->s_io_tab[i] = io_range{a.io_tab[i][0], a.io_tab[i][1]};
        }
    }
    p.p_priv = pr;
    for (int i = 0; i < NR_SYS_PROCS; ++i) {
        if (send_to.test(i))
            set_sendto_bit(*pr, i);
        else
            unset_sendto_bit(*pr, i);
    }
    return OK;
}

int set_user(Proc& caller, Proc& p, vir_bytes arg_ptr) {
    if (!(p.p_rts_flags & RTS_NO_PRIV)) return -EPERM;

    Priv& user = *user_priv();
    endpoint_t mgr = user.s_sig_mgr;
    if (arg_ptr != 0) {
        priv_args a{};
        const int r = arch::copy_from_proc(caller, arg_ptr, &a, sizeof(a));
        if (r != OK) return r;
        if (a.sig_mgr != NONE && !endpoint_lookup(a.sig_mgr)) return -EINVAL;
        mgr = a.sig_mgr;
    } else if (mgr == NONE) {
        // PM manages user processes; it is found by its boot slot, as MINIX
        // does (PM_PROC_NR), never by a name a process could choose.
        const Proc& pm = *proc_addr(PM_PROC_NR);
        if (!proc_is_free(pm)) mgr = pm.p_endpoint;
    }

    if (own_priv(p)) release_priv(*priv(p));
    user.s_sig_mgr = mgr;
    p.p_priv = &user;
    return OK;
}

}  // namespace

int do_privctl(Proc& caller, message& m) {
    if (!is_sys_proc(caller)) return -EPERM;
    Proc* p = call_target(caller, m.CTL_ENDPT);
    if (!p) return -EINVAL;
    if (is_kernel_slot(p->p_nr)) return -EPERM;

    switch (m.CTL_REQUEST) {
        case SYS_PRIV_ALLOW:
            if (!(p->p_rts_flags & RTS_NO_PRIV) || !priv(*p)) return -EPERM;
            rts_unset(*p, RTS_NO_PRIV);
            return OK;
        case SYS_PRIV_DISALLOW:
            if (p->p_rts_flags & RTS_NO_PRIV) return -EPERM;
            rts_set(*p, RTS_NO_PRIV);
            return OK;
        case SYS_PRIV_SET_SYS:
            return set_sys(caller, *p, m.CTL_ARG_PTR);
        case SYS_PRIV_SET_USER:
            return set_user(caller, *p, m.CTL_ARG_PTR);
        default:
            kprintf("privctl: unsupported request %d from %s\n", m.CTL_REQUEST, caller.p_name);
            return -EINVAL;
    }
}

}  // namespace umk
