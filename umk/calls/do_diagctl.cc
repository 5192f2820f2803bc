// SYS_DIAGCTL: the kernel log for processes (MINIX SYS_SYSCTL / newest
// SYS_DIAGCTL, kernel/system/do_sysctl.c, do_diagctl.c).
//   reads:  DIAG_CODE (m1_i1), and by code:
//     DIAGCTL_CODE_DIAG        DIAG_BUF (m1_p1) text in the caller, DIAG_LEN
//                              (m1_i2) 1..DIAG_BUF_MAX bytes. The text goes
//                              to the kernel log (kmess) labelled with the
//                              caller's name, "[NAME] " at the start of each
//                              line, control characters escaped as \xNN.
//     DIAGCTL_CODE_REGISTER    the caller (a system process with the
//                              LOG_READER privilege, else EPERM and a kernel
//                              log line: any other process could swallow the
//                              log) gets SIGKMESS whenever
//                              log text is added; while it lives, the text waits
//                              in the ring for it instead of being written out.
//     DIAGCTL_CODE_UNREGISTER  no more SIGKMESS (EPERM as for REGISTER).
//     DIAGCTL_CODE_TAKE        (umk) copy up to DIAG_LEN (1..KMESS_BUF_SIZE)
//                              bytes of log text, from the first unshown
//                              byte, to DIAG_BUF. They are only lent: a
//                              second TAKE copies them again.
//     DIAGCTL_CODE_SHOWN       (umk) the first DIAG_LEN (>= 0) bytes the last
//                              TAKE copied have been written out: they are
//                              shown now (more than was lent: EINVAL).
//                              TAKE and SHOWN: only a registered log reader (EPERM).
//   reply:  the result; TAKE also DIAG_LEN (m1_i2) = bytes copied (0: none
//           waiting) and DIAG_LEFT (m1_i3) = unshown bytes after those.
// Errors: EINVAL for another code or a bad length, EFAULT if the buffer is
// not readable (DIAG) or writable (TAKE).
#include "../priv.h"
#include "calls.h"
#include "umk/com.h"

namespace umk {
namespace {

const char* code_name(int code) {
    switch (code) {
        case DIAGCTL_CODE_REGISTER:
            return "REGISTER";
        case DIAGCTL_CODE_UNREGISTER:
            return "UNREGISTER";
        case DIAGCTL_CODE_TAKE:
            return "TAKE";
        default:
            return "SHOWN";
    }
}

// The log reader's privileges: a system process's own record with
// LOG_READER (system.conf `authority LOG_READER`, TTY's), else nullptr and
// a log line naming the caller.
Priv* reader_priv(Proc& caller, int code) {
    Priv* pr = priv(caller);
    if (pr && pr != user_priv() && (pr->s_flags & SYS_PROC) && (pr->s_flags & LOG_READER))
        return pr;
    kprintf("diagctl: %s (endpoint %d) may not %s as the log reader: EPERM\n", caller.p_name,
            caller.p_endpoint, code_name(code));
    return nullptr;
}

int diag(Proc& caller, message& m) {
    // Static: kernel stacks are small, and the kernel runs one call at a time.
    static char buf[DIAG_BUF_MAX];
    const int len = m.DIAG_LEN;
    if (len <= 0 || len > DIAG_BUF_MAX) return -EINVAL;
    const int r = arch::copy_from_proc(caller, m.DIAG_BUF, buf, static_cast<std::size_t>(len));
    if (r != OK) return r;
    kmess_append_from(caller, buf, static_cast<std::size_t>(len));
    return OK;
}

bool registered(Proc& caller, int code) {
    const Priv* pr = reader_priv(caller, code);
    return pr && pr->s_diag_sig;
}

int take(Proc& caller, message& m) {
    if (!registered(caller, DIAGCTL_CODE_TAKE)) return -EPERM;
    const int len = m.DIAG_LEN;
    if (len <= 0 || len > KMESS_BUF_SIZE) return -EINVAL;
    std::size_t got = 0;
    const int r = kmess_take(caller, m.DIAG_BUF, static_cast<std::size_t>(len), &got);
    if (r != OK) return r;
    m.DIAG_LEN = static_cast<std::int32_t>(got);
    m.DIAG_LEFT = static_cast<std::int32_t>(kmess_unshown() - got);
    return OK;
}

int shown(Proc& caller, const message& m) {
    if (!registered(caller, DIAGCTL_CODE_SHOWN)) return -EPERM;
    if (m.DIAG_LEN < 0) return -EINVAL;
    return kmess_shown(static_cast<std::size_t>(m.DIAG_LEN));
}

}  // namespace

int do_diagctl(Proc& caller, message& m) {
    switch (m.DIAG_CODE) {
        case DIAGCTL_CODE_DIAG:
            return diag(caller, m);
        case DIAGCTL_CODE_REGISTER: {
            Priv* pr = reader_priv(caller, DIAGCTL_CODE_REGISTER);
            if (!pr) return -EPERM;
            pr->s_diag_sig = true;
            kmess_reader_added();
            return OK;
        }
        case DIAGCTL_CODE_UNREGISTER: {
            Priv* pr = reader_priv(caller, DIAGCTL_CODE_UNREGISTER);
            if (!pr) return -EPERM;
            pr->s_diag_sig = false;
            kmess_reader_removed();
            return OK;
        }
        case DIAGCTL_CODE_TAKE:
            return take(caller, m);
        case DIAGCTL_CODE_SHOWN:
            return shown(caller, m);
        default:
            return -EINVAL;
    }
}

}  // namespace umk
