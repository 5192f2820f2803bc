// umk/format.cc (compiled into this library for vformat) also holds the
// kernel's kprintf, which writes through arch::log_write. In a service the
// kernel log is reached with SYS_DIAGCTL, so that is what log_write means
// here; it also makes kprintf usable from service code.
#include "umk/arch.h"
#include "umk/com.h"
#include "umklib/syslib.h"

namespace umk::arch {

void log_write(const char* text, std::size_t len) {
    while (len > 0) {
        const std::size_t chunk = len > static_cast<std::size_t>(DIAG_BUF_MAX) ? DIAG_BUF_MAX : len;
        if (sys_diagctl_diag(text, chunk) != OK) return;
        text += chunk;
        len -= chunk;
    }
}

}  // namespace umk::arch
