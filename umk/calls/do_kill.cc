// SYS_KILL: cause a signal for a process (MINIX kernel/system/do_kill.c).
//   reads:  SIG_ENDPT (m2_i1, SELF allowed), SIG_NUMBER (m2_i2)
//   reply:  nothing but the result
// Errors: EINVAL for a bad endpoint or signal number, EPERM for a kernel task.
// The signal goes to the target's signal manager (cause_sig).
#include "calls.h"
#include "umk/sig.h"

namespace umk {

int do_kill(Proc& caller, message& m) {
    Proc* p = call_target(caller, m.SIG_ENDPT);
    const int sig = m.SIG_NUMBER;
    if (!p || !sig_valid(sig)) return -EINVAL;
    if (is_kernel_slot(p->p_nr)) return -EPERM;

    cause_sig(*p, sig);
    return OK;
}

}  // namespace umk
