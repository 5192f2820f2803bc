// log_printf: format with the shared freestanding formatter (umk/format.h)
// and hand the text to the kernel log with SYS_DIAGCTL.
//
// Text longer than the kernel takes in one call (DIAG_BUF_MAX) is cut and
// marked: it ends in "..." followed by a newline when the format ends in one,
// so that a cut line is visible as such and the next line starts on its own.
#include "umklib/log.h"

#include "lib_internal.h"
#include "umk/com.h"
#include "umk/format.h"
#include "umklib/syslib.h"

namespace umk {

int log_vprintf(const char* fmt, va_list ap) {
    // One more byte than the kernel takes, for the formatter's NUL.
    char buf[DIAG_BUF_MAX + 1];
    const int n = vformat(buf, sizeof buf, fmt, ap);
    if (n <= 0) return n;  // nothing to log (the kernel rejects empty text)
    std::size_t len = static_cast<std::size_t>(n);
    if (len > static_cast<std::size_t>(DIAG_BUF_MAX)) {
        len = DIAG_BUF_MAX;
        const std::size_t flen = str::len(fmt);
        const bool newline = flen > 0 && fmt[flen - 1] == '\n';
        const char* mark = newline ? "...\n" : "...";
        const std::size_t mlen = str::len(mark);
        for (std::size_t i = 0; i < mlen; ++i) buf[len - mlen + i] = mark[i];
    }
    const int r = sys_diagctl_diag(buf, len);
    return r == OK ? n : r;
}

int log_printf(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    const int r = log_vprintf(fmt, ap);
    va_end(ap);
    return r;
}

}  // namespace umk
