// SYS_ENDKSIG: a signal manager has finished with the signals it collected
// for a process (MINIX kernel/system/do_endksig.c).
//   reads:  SIG_ENDPT (m2_i1, SELF allowed)
//   reply:  nothing but the result
// Errors: EINVAL bad endpoint, EPERM caller is not its manager, EINVAL no
// signal handling in progress (no RTS_SIG_PENDING). If new signals arrived
// meanwhile (RTS_SIGNALED again) the process stays held for the next round.
#include "calls.h"

namespace umk {

int do_endksig(Proc& caller, message& m) {
    Proc* p = call_target(caller, m.SIG_ENDPT);
    if (!p) return -EINVAL;
    if (!priv(*p) || priv(*p)->s_sig_mgr != caller.p_endpoint) return -EPERM;
    if (!(p->p_rts_flags & RTS_SIG_PENDING)) return -EINVAL;

    if (!(p->p_rts_flags & RTS_SIGNALED)) rts_unset(*p, RTS_SIG_PENDING);
    return OK;
}

}  // namespace umk
