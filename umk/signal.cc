// Kernel signals: routing a signal for a process to its signal manager
// (MINIX kernel/system.c cause_sig, send_sig, sig_delay_done), and the
// kernel signals the arch's observations cause (proc_fault, proc_started).
//
// Two cases MINIX does not survive, and what umk does instead:
//  - A process that is its own signal manager gets a lethal signal (it
//    cannot handle a SIGSEGV in itself; MINIX panics), or its host process
//    is gone (MF_HOST_DEAD). umk has no backup
//    manager in Priv, so the kernel prints a clear message and stops the
//    process (RTS_PROC_STOP). The rest of the system keeps running; the
//    stopped process still holds its endpoint, so nobody talks to a new
//    process by mistake.
//  - A process without a signal manager (s_sig_mgr == NONE, no privileges,
//    or a manager that has died): a lethal signal, or the loss of its host
//    process (MF_HOST_DEAD), prints a message and stops it; any other
//    signal is dropped, since nobody would ever collect it.
#include "arch.h"
#include "core.h"
#include "kernel.h"
#include "umk/sig.h"

namespace umk {
namespace {

void stop_unmanaged(Proc& p, int sig, const char* why) {
    kprintf("kernel: %s (endpoint %d) got %s but %s; stopping it\n", p.p_name, p.p_endpoint,
            sig_name(sig), why);
    rts_set(p, RTS_PROC_STOP);
}

}  // namespace

void send_sig(Proc& p, int sig) {
    Priv* pr = priv(p);
    if (!pr || proc_is_free(p) || !sig_valid(sig)) return;
    sig_add(pr->s_sig_pending, sig);
    notify_from_kernel(SYSTEM, p);
}

void cause_sig(Proc& p, int sig) {
    if (proc_is_free(p) || is_kernel_slot(p.p_nr) || !sig_valid(sig)) return;
    const bool lethal = sig_is_lethal(sig) || (p.p_misc_flags & MF_HOST_DEAD);

    const Priv* pr = priv(p);
    endpoint_t mgr_e = pr ? pr->s_sig_mgr : NONE;
    if (mgr_e == SELF) mgr_e = p.p_endpoint;

    if (mgr_e == p.p_endpoint) {
        // Its own manager: the signal goes straight to it, as SIGKSIGSM.
        if (lethal) {
            stop_unmanaged(p, sig, "it is its own signal manager and cannot handle that");
            return;
        }
        sig_add(priv(p)->s_sig_pending, sig);
        send_sig(p, SIGKSIGSM);
        return;
    }

    Proc* mgr = mgr_e == NONE ? nullptr : endpoint_lookup(mgr_e);
    if (!mgr || !priv(*mgr)) {
        if (lethal) stop_unmanaged(p, sig, "it has no signal manager");
        return;
    }

    // Held (RTS_SIG_PENDING) until the manager has collected the signals
    // (SYS_GETKSIG) and finished with them (SYS_ENDKSIG). One SIGKSIG per
    // batch: further signals only join the pending set.
    if (sig_has(p.p_pending, sig)) return;
    sig_add(p.p_pending, sig);
    if (p.p_rts_flags & RTS_SIGNALED) return;
    rts_set(p, RTS_SIGNALED | RTS_SIG_PENDING);
    send_sig(*mgr, SIGKSIG);
}

void sig_delay_done(Proc& p) {
    p.p_misc_flags &= ~MF_SIG_DELAY;
    cause_sig(p, SIGKNDELAY);
}

void proc_started(Proc& p) {
    if (proc_is_free(p) || is_kernel_slot(p.p_nr) || (p.p_misc_flags & MF_STARTED)) return;
    p.p_misc_flags |= MF_STARTED;
    // A spawner that has gone (or whose slot was reused: the generation
    // differs) is not told.
    if (Proc* spawner = endpoint_lookup(p.p_spawner)) send_sig(*spawner, SIGKSTART);
}

void proc_fault(Proc& p, int sig, bool gone) {
    if (proc_is_free(p) || is_kernel_slot(p.p_nr)) {
        kprintf("kernel: fault %s reported for slot %d, which holds no process\n", sig_name(sig),
                p.p_nr);
        return;
    }
    if (gone) p.p_misc_flags |= MF_HOST_DEAD;
    cause_sig(p, sig);
}

}  // namespace umk
