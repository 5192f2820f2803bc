// SYS_PRIVCTL: CTL_ENDPT (m2_i1, SELF allowed), CTL_REQUEST (m2_i2), CTL_ARG_PTR (m2_p1).
#include "lib_internal.h"
#include "umklib/syslib.h"

namespace umk {

int sys_privctl(endpoint_t ep, int request, void* arg) {
    message m = detail::blank_message();
    m.CTL_ENDPT = ep;
    m.CTL_REQUEST = request;
    m.CTL_ARG_PTR = detail::addr_of(arg);
    return kernel_call(SYS_PRIVCTL, &m);
}

}  // namespace umk
