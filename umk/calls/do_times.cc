// SYS_TIMES: process and system times (MINIX kernel/system/do_times.c).
//   reads:  T_ENDPT (m2_i1, SELF allowed)
//   reply:  T_USER_TIME (m2_u1) ticks charged to the process,
//           T_BOOT_TICKS (m2_l1) uptime in ticks, T_REAL_TICKS (m2_l2) the
//           same (umk has no real-time clock of its own)
// Errors: EINVAL for an endpoint that names no live process.
#include "../kernel.h"
#include "calls.h"

namespace umk {

int do_times(Proc& caller, message& m) {
    const Proc* p = call_target(caller, m.T_ENDPT);
    if (!p) return -EINVAL;

    m.T_USER_TIME = p->p_user_time;
    m.T_BOOT_TICKS = static_cast<std::int64_t>(uptime());
    m.T_REAL_TICKS = static_cast<std::int64_t>(uptime());
    return OK;
}

}  // namespace umk
