// kprintf in a service. The kernel's kprintf (umk/kmess.cc) appends to the
// kernel's log ring; a service reaches that ring with SYS_DIAGCTL, so this is
// kprintf here (it makes kernel-style code usable in a service). Text is
// formatted with the core's vformat (umk/format.cc, compiled into this library)
// and cut at 511 bytes, as the kernel's own kprintf does.
#include "umk/com.h"
#include "umk/format.h"
#include "umk/kernel.h"
#include "umklib/syslib.h"

namespace umk {

void kprintf(const char* fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    const int n = vformat(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n <= 0) return;
    const std::size_t len =
        n < static_cast<int>(sizeof buf) ? static_cast<std::size_t>(n) : sizeof buf - 1;
    sys_diagctl_diag(buf, len);
}

}  // namespace umk
