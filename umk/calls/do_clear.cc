// SYS_CLEAR: a process is gone for good; free its slot (MINIX
// kernel/system/do_clear.c, clear_endpoint in kernel/system.c).
//   reads:  PR_ENDPT (m1_i1, SELF allowed - and refused, see below)
//   reply:  nothing but the result
// Errors: EINVAL for an endpoint that names no slot or an older occupant of
// it, EPERM for a kernel task or the caller itself (a process ends itself
// with SYS_EXIT). A slot that is already free: OK, nothing to do.
//
// Everybody blocked on the process is woken (senders get EDSTDIED, receivers
// ESRCDIED), its alarm is cancelled, its machine context destroyed, its
// privileges freed (not the shared user record) and the slot gets a new
// generation, so the old endpoint stays dead.
#include "calls.h"

namespace umk {

int do_clear(Proc& caller, message& m) {
    const endpoint_t e = resolve_self(caller, m.PR_ENDPT);
    const proc_nr_t slot = endpoint_slot(e);
    if (!slot_in_range(slot)) return -EINVAL;
    Proc& p = *proc_addr(slot);
    if (is_kernel_slot(slot)) return -EPERM;
    if (proc_is_free(p)) return OK;
    if (p.p_endpoint != e) return -EINVAL;
    if (&p == &caller) return -EPERM;

    ipc_clear_proc(p);
    Priv* pr = priv(p);
    if (pr && pr != user_priv()) {
        reset_timer(pr->s_alarm_timer);
        // A SENDA table that sys_update left in this process's memory on
        // behalf of another slot cannot be read any more.
        for (sys_id_t id = 0; id < NR_SYS_PROCS; ++id) {
            Priv* other = priv_by_id(id);
            if (other && other != pr && other->s_asynendpoint == p.p_endpoint) {
                other->s_asynsize = 0;
                other->s_asyntab = 0;
                other->s_asynendpoint = NONE;
            }
        }
    }
    arch::proc_destroy(p);
    proc_free_slot(p);  // frees the privileges too
    return OK;
}

}  // namespace umk
