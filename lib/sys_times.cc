// Time:
//   SYS_TIMES: T_ENDPT (m2_i1); reply T_USER_TIME (m2_u1), T_BOOT_TICKS (m2_l1)
//   SYS_GETINFO GET_UPTIME: reply m2_l1 ticks, m2_i1 HZ (sys_uptime, sys_hz)
#include "lib_internal.h"
#include "umklib/syslib.h"

namespace umk {
namespace {

int get_uptime(message* m) {
    *m = detail::blank_message();
    m->I_REQUEST = GET_UPTIME;
    m->I_ENDPT = SELF;
    return kernel_call(SYS_GETINFO, m);
}

}  // namespace

int sys_times(endpoint_t ep, clock_t_* user_time, clock_t_* uptime) {
    message m = detail::blank_message();
    m.T_ENDPT = ep;
    const int r = kernel_call(SYS_TIMES, &m);
    if (r != OK) return r;
    if (user_time) *user_time = static_cast<clock_t_>(m.T_USER_TIME);
    if (uptime) *uptime = static_cast<clock_t_>(m.T_BOOT_TICKS);
    return OK;
}

int sys_uptime(clock_t_* ticks) {
    message m;
    const int r = get_uptime(&m);
    if (r == OK) *ticks = static_cast<clock_t_>(m.m2_l1);
    return r;
}

int sys_hz() {
    message m;
    const int r = get_uptime(&m);
    return r == OK ? m.m2_i1 : r;
}

}  // namespace umk
