// SYS_EXIT: no fields; on success the kernel raises SIGABRT on us and never answers.
#include "lib_internal.h"
#include "umklib/syslib.h"

namespace umk {

int sys_exit() {
    message m = detail::blank_message();
    return kernel_call(SYS_EXIT, &m);
}

}  // namespace umk
