// SYS_SETALARM: set or cancel the caller's alarm (MINIX
// kernel/system/do_setalarm.c).
//   reads:  ALRM_EXP_TIME (m2_l1) ticks (0 cancels), ALRM_ABS_TIME (m2_i2)
//           non-zero: ALRM_EXP_TIME is an absolute uptime
//   reply:  ALRM_TIME_LEFT (m2_l2) ticks that were left on the previous alarm
// Errors: EPERM unless the caller is a system process (the alarm lives in
// its own privilege record), EINVAL for a negative time.
// On expiry the caller gets a notification from CLOCK. The alarm belongs to
// the slot: it survives sys_update and notifies the same endpoint.
#include "../kernel.h"
#include "calls.h"

namespace umk {
namespace {

void cause_alarm(Timer& t) {
    const proc_nr_t slot = static_cast<proc_nr_t>(t.arg);
    if (!slot_in_range(slot) || is_kernel_slot(slot)) return;
    Proc& p = *proc_addr(slot);
    if (!proc_is_free(p)) notify_from_kernel(CLOCK, p);
}

}  // namespace

int do_setalarm(Proc& caller, message& m) {
    const std::int64_t exp = m.ALRM_EXP_TIME;
    const bool absolute = m.ALRM_ABS_TIME != 0;
    if (!is_sys_proc(caller) || priv(caller) == user_priv()) return -EPERM;
    if (exp < 0) return -EINVAL;

    Timer& t = priv(caller)->s_alarm_timer;
    m.ALRM_TIME_LEFT = static_cast<std::int64_t>(timer_left(t));
    if (exp == 0) {
        reset_timer(t);
    } else {
        const clock_t_ when = absolute ? static_cast<clock_t_>(exp) : uptime() + exp;
        set_timer(t, when, cause_alarm, caller.p_nr);
    }
    return OK;
}

}  // namespace umk
