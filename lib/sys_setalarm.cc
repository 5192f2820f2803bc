// SYS_SETALARM: ALRM_EXP_TIME (m2_l1, 0 cancels), ALRM_ABS_TIME (m2_i2);
// reply ALRM_TIME_LEFT (m2_l2).
#include "lib_internal.h"
#include "umklib/syslib.h"

namespace umk {

int sys_setalarm(clock_t_ ticks, bool absolute, clock_t_* left) {
    message m = detail::blank_message();
    m.ALRM_EXP_TIME = static_cast<std::int64_t>(ticks);
    m.ALRM_ABS_TIME = absolute ? 1 : 0;
    const int r = kernel_call(SYS_SETALARM, &m);
    if (r == OK && left) *left = static_cast<clock_t_>(m.ALRM_TIME_LEFT);
    return r;
}

}  // namespace umk
