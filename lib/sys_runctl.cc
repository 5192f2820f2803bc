// SYS_RUNCTL: RC_ENDPT (m1_i1), RC_ACTION (m1_i2: RC_STOP/RC_RESUME), RC_FLAGS (m1_i3: RC_DELAY).
#include "lib_internal.h"
#include "umklib/syslib.h"

namespace umk {

int sys_runctl(endpoint_t ep, int action, int flags) {
    message m = detail::blank_message();
    m.RC_ENDPT = ep;
    m.RC_ACTION = action;
    m.RC_FLAGS = flags;
    return kernel_call(SYS_RUNCTL, &m);
}

int sys_stop(endpoint_t ep) {
    return sys_runctl(ep, RC_STOP, 0);
}
int sys_resume(endpoint_t ep) {
    return sys_runctl(ep, RC_RESUME, 0);
}

}  // namespace umk
