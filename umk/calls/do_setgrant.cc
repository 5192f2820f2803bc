// SYS_SETGRANT: register the caller's grant table (MINIX
// kernel/system/do_setgrant.c).
//   reads:  SG_ADDR (m2_p1) table address in the caller, SG_SIZE (m2_i2)
//           number of cp_grant_t entries (0: no table)
//   reply:  nothing but the result
// Errors: EPERM unless the caller has privileges of its own (the shared
// user record must not carry one process's table), EINVAL for a negative size.
// The table itself is read entry by entry at each SAFECOPY, so the kernel
// never trusts a cached copy.
#include "calls.h"

namespace umk {

int do_setgrant(Proc& caller, message& m) {
    const vir_bytes addr = m.SG_ADDR;
    const std::int32_t entries = m.SG_SIZE;
    Priv* pr = priv(caller);
    if (!pr || pr == user_priv() || (caller.p_rts_flags & RTS_NO_PRIV)) return -EPERM;
    if (entries < 0) return -EINVAL;

    pr->s_grant_table = entries > 0 ? addr : 0;
    pr->s_grant_entries = entries > 0 ? entries : 0;
    return OK;
}

}  // namespace umk
