// SYS_RUNCTL: stop or resume a process (MINIX kernel/system/do_runctl.c).
//   reads:  RC_ENDPT (m1_i1, SELF allowed), RC_ACTION (m1_i2) RC_STOP or
//           RC_RESUME, RC_FLAGS (m1_i3) RC_DELAY
//   reply:  nothing but the result
// Errors: EINVAL bad endpoint or action, EPERM kernel task.
// RC_STOP with RC_DELAY on a process blocked sending does not stop it (the
// send would be cut in half): it is marked MF_SIG_DELAY, the call returns
// EBUSY, and the manager gets SIGKNDELAY once the send has completed
// (sig_delay_done, called by the IPC code).
#include "calls.h"

namespace umk {

int do_runctl(Proc& caller, message& m) {
    Proc* p = call_target(caller, m.RC_ENDPT);
    const int action = m.RC_ACTION;
    const int flags = m.RC_FLAGS;
    if (!p) return -EINVAL;
    if (is_kernel_slot(p->p_nr)) return -EPERM;
    if (action != RC_STOP && action != RC_RESUME) return -EINVAL;

    if (action == RC_STOP && (flags & RC_DELAY)) {
        if (p->p_rts_flags & RTS_SENDING) p->p_misc_flags |= MF_SIG_DELAY;
        if (p->p_misc_flags & MF_SIG_DELAY) return -EBUSY;
    }
    if (action == RC_STOP)
        rts_set(*p, RTS_PROC_STOP);
    else
        rts_unset(*p, RTS_PROC_STOP);
    return OK;
}

}  // namespace umk
