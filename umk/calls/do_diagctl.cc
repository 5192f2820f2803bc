// SYS_DIAGCTL: kernel log output for a process (MINIX SYS_SYSCTL / newest
// SYS_DIAGCTL, kernel/system/do_sysctl.c).
//   reads:  DIAG_CODE (m1_i1) DIAGCTL_CODE_DIAG, DIAG_BUF (m1_p1) text in the
//           caller, DIAG_LEN (m1_i2) 1..DIAG_BUF_MAX bytes
//   reply:  nothing but the result
// Errors: EINVAL for another code or a bad length, EFAULT if the buffer is
// not readable. The text goes to the kernel log unchanged (no prefix).
#include "../com.h"
#include "calls.h"

namespace umk {

int do_diagctl(Proc& caller, message& m) {
    // Static: kernel stacks are small, and the kernel runs one call at a time.
    static char buf[DIAG_BUF_MAX];
    if (m.DIAG_CODE != DIAGCTL_CODE_DIAG) return -EINVAL;
    const int len = m.DIAG_LEN;
    if (len <= 0 || len > DIAG_BUF_MAX) return -EINVAL;
    const int r = arch::copy_from_proc(caller, m.DIAG_BUF, buf, static_cast<std::size_t>(len));
    if (r != OK) return r;

    arch::log_write(buf, static_cast<std::size_t>(len));
    return OK;
}

}  // namespace umk
