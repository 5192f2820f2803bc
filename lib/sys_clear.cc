// SYS_CLEAR: PR_ENDPT (m1_i1).
#include "lib_internal.h"
#include "umklib/syslib.h"

namespace umk {

int sys_clear(endpoint_t ep) {
    message m = detail::blank_message();
    m.PR_ENDPT = ep;
    return kernel_call(SYS_CLEAR, &m);
}

}  // namespace umk
