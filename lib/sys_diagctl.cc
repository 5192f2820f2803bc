// SYS_DIAGCTL DIAG: DIAG_CODE (m1_i1), DIAG_BUF (m1_p1), DIAG_LEN (m1_i2, 1..DIAG_BUF_MAX).
#include "lib_internal.h"
#include "umklib/syslib.h"

namespace umk {

int sys_diagctl_diag(const char* buf, std::size_t len) {
    if (len == 0 || len > static_cast<std::size_t>(DIAG_BUF_MAX)) return -EINVAL;
    message m = detail::blank_message();
    m.DIAG_CODE = DIAGCTL_CODE_DIAG;
    m.DIAG_BUF = detail::addr_of(buf);
    m.DIAG_LEN = static_cast<std::int32_t>(len);
    return kernel_call(SYS_DIAGCTL, &m);
}

}  // namespace umk
