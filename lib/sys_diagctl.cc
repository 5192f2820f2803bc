// SYS_DIAGCTL: DIAG_CODE (m1_i1), DIAG_BUF (m1_p1), DIAG_LEN (m1_i2).
//   DIAG        the text (1..DIAG_BUF_MAX bytes) goes to the kernel log
//   REGISTER    the caller gets SIGKMESS for new log text (a log reader: TTY)
//   UNREGISTER  no more SIGKMESS
//   TAKE        copy log text from the first unshown byte (reply DIAG_LEN
//               bytes, DIAG_LEFT unshown after them); only lent, until
//   SHOWN       DIAG_LEN bytes of what TAKE copied have been written out
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

int sys_diagctl_register() {
    message m = detail::blank_message();
    m.DIAG_CODE = DIAGCTL_CODE_REGISTER;
    return kernel_call(SYS_DIAGCTL, &m);
}

int sys_diagctl_unregister() {
    message m = detail::blank_message();
    m.DIAG_CODE = DIAGCTL_CODE_UNREGISTER;
    return kernel_call(SYS_DIAGCTL, &m);
}

int sys_diagctl_take(char* buf, std::size_t len, std::size_t* got, std::size_t* left) {
    if (len == 0 || len > static_cast<std::size_t>(KMESS_BUF_SIZE)) return -EINVAL;
    message m = detail::blank_message();
    m.DIAG_CODE = DIAGCTL_CODE_TAKE;
    m.DIAG_BUF = detail::addr_of(buf);
    m.DIAG_LEN = static_cast<std::int32_t>(len);
    const int r = kernel_call(SYS_DIAGCTL, &m);
    if (r != OK) return r;
    // Never believe more than we asked for.
    const std::size_t n = m.DIAG_LEN < 0 ? 0 : static_cast<std::size_t>(m.DIAG_LEN);
    if (got) *got = n < len ? n : len;
    if (left) *left = m.DIAG_LEFT < 0 ? 0 : static_cast<std::size_t>(m.DIAG_LEFT);
    return OK;
}

int sys_diagctl_shown(std::size_t len) {
    if (len > static_cast<std::size_t>(KMESS_BUF_SIZE)) return -EINVAL;
    message m = detail::blank_message();
    m.DIAG_CODE = DIAGCTL_CODE_SHOWN;
    m.DIAG_LEN = static_cast<std::int32_t>(len);
    return kernel_call(SYS_DIAGCTL, &m);
}

}  // namespace umk
