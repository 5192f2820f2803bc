// SYS_UPDATE: SYS_UPD_SRC_ENDPT (m1_i1), SYS_UPD_DST_ENDPT (m1_i2), SYS_UPD_FLAGS (m1_i3).
#include "lib_internal.h"
#include "umklib/syslib.h"

namespace umk {

int sys_update(endpoint_t src, endpoint_t dst, int flags) {
    message m = detail::blank_message();
    m.SYS_UPD_SRC_ENDPT = src;
    m.SYS_UPD_DST_ENDPT = dst;
    m.SYS_UPD_FLAGS = flags;
    return kernel_call(SYS_UPDATE, &m);
}

}  // namespace umk
