// SYS_KILL: SIG_ENDPT (m2_i1), SIG_NUMBER (m2_i2).
#include "lib_internal.h"
#include "umklib/syslib.h"

namespace umk {

int sys_kill(endpoint_t ep, int sig) {
    message m = detail::blank_message();
    m.SIG_ENDPT = ep;
    m.SIG_NUMBER = sig;
    return kernel_call(SYS_KILL, &m);
}

}  // namespace umk
