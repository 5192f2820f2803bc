// A signal manager's two calls:
//   SYS_GETKSIG: reply SIG_ENDPT (m2_i1, NONE when nothing is pending), SIG_MAP (m2_u1)
//   SYS_ENDKSIG: SIG_ENDPT (m2_i1)
#include "lib_internal.h"
#include "umklib/syslib.h"

namespace umk {

int sys_getksig(endpoint_t* ep, sigset_t_* map) {
    message m = detail::blank_message();
    const int r = kernel_call(SYS_GETKSIG, &m);
    if (r != OK) {
        // Never let a caller loop on stale values after a failure.
        *ep = NONE;
        *map = 0;
        return r;
    }
    *ep = m.SIG_ENDPT;
    *map = m.SIG_MAP;
    return OK;
}

int sys_endksig(endpoint_t ep) {
    message m = detail::blank_message();
    m.SIG_ENDPT = ep;
    return kernel_call(SYS_ENDKSIG, &m);
}

}  // namespace umk
