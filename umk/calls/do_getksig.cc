// SYS_GETKSIG: a signal manager collects kernel signals (MINIX
// kernel/system/do_getksig.c).
//   reads:  nothing
//   reply:  SIG_ENDPT (m2_i1) the first process with new signals whose
//           manager is the caller, or NONE; SIG_MAP (m2_u1) its pending set.
// The process's set is cleared and RTS_SIGNALED dropped; RTS_SIG_PENDING
// keeps it stopped until the manager calls SYS_ENDKSIG.
#include "calls.h"

namespace umk {

int do_getksig(Proc& caller, message& m) {
    for (proc_nr_t s = 0; s < NR_PROCS; ++s) {
        Proc& p = *proc_addr(s);
        if (proc_is_free(p) || !(p.p_rts_flags & RTS_SIGNALED)) continue;
        if (!priv(p) || priv(p)->s_sig_mgr != caller.p_endpoint) continue;
        m.SIG_ENDPT = p.p_endpoint;
        m.SIG_MAP = p.p_pending;
        p.p_pending = 0;
        rts_unset(p, RTS_SIGNALED);
        return OK;
    }
    m.SIG_ENDPT = NONE;
    m.SIG_MAP = 0;
    return OK;
}

}  // namespace umk
