// SYS_SPAWN: SPAWN_PROG (m1_p1) and SPAWN_PROG_LEN (m1_i1, without the NUL),
// SPAWN_ARGS (m1_p2) and SPAWN_ARGS_LEN (m1_i2); reply SPAWN_ENDPT (m1_i3).
#include "lib_internal.h"
#include "umklib/syslib.h"

namespace umk {

int sys_spawn(const char* program, const char* args, std::size_t args_len, endpoint_t* ep) {
    if (!program || (!args && args_len > 0) || args_len > 0x7fffffff) return -EINVAL;
    const std::size_t prog_len = str::len(program);
    if (prog_len == 0 || prog_len > 0x7fffffff) return -EINVAL;
    message m = detail::blank_message();
    m.SPAWN_PROG = detail::addr_of(program);
    m.SPAWN_PROG_LEN = static_cast<std::int32_t>(prog_len);
    m.SPAWN_ARGS = detail::addr_of(args);
    m.SPAWN_ARGS_LEN = static_cast<std::int32_t>(args_len);
    const int r = kernel_call(SYS_SPAWN, &m);
    if (r == OK && ep) *ep = m.SPAWN_ENDPT;
    return r;
}

}  // namespace umk
