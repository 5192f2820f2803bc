// SYS_SPAWN (umk): create a process from a program, in a free slot, held by
// RTS_NO_PRIV until someone gives it privileges (SYS_PRIVCTL) - MINIX's
// SRV_FORK + exec in one call, since the arch does the loading.
//   reads:  SPAWN_PROG (m1_p1) program name in the caller, SPAWN_PROG_LEN
//           (m1_i1) its length (1..SPAWN_PROG_MAX, a trailing NUL allowed),
//           SPAWN_ARGS (m1_p2) NUL-separated arguments in the caller,
//           SPAWN_ARGS_LEN (m1_i2) their length (0..SPAWN_ARGS_MAX)
//   reply:  SPAWN_ENDPT (m1_i3) the new process's endpoint
// Errors: EPERM unless the caller is a system process; EINVAL bad lengths or
// an empty name; E2BIG arguments too long; EFAULT from the copies; ENOMEM
// no free slot; the arch's ENOENT/ENOEXEC/ENOMEM. A failed spawn frees the
// slot again.
// The process is named after the program's last path component, truncated
// to PROC_NAME_LEN - 1 characters. The caller is remembered as its spawner:
// it gets SIGKSTART when the process has started (proc_started).
#include "calls.h"

namespace umk {
namespace {

constexpr int SPAWN_PROG_MAX = 1024;  // host paths of deep build trees fit
constexpr int SPAWN_ARGS_MAX = 4096;

void name_after(Proc& p, const char* program) {
    const char* base = program;
    for (const char* c = program; *c; ++c)
        if (*c == '/') base = c + 1;
    int i = 0;
    for (; base[i] && i < PROC_NAME_LEN - 1; ++i) p.p_name[i] = base[i];
    for (; i < PROC_NAME_LEN; ++i) p.p_name[i] = '\0';
}

}  // namespace

int do_spawn(Proc& caller, message& m) {
    // Static: kernel stacks are small, and the kernel runs one call at a time.
    static char program[SPAWN_PROG_MAX + 1];
    static char args[SPAWN_ARGS_MAX];
    const int prog_len = m.SPAWN_PROG_LEN;
    const int args_len = m.SPAWN_ARGS_LEN;
    if (!is_sys_proc(caller)) return -EPERM;
    if (prog_len <= 0 || prog_len > SPAWN_PROG_MAX || args_len < 0) return -EINVAL;
    if (args_len > SPAWN_ARGS_MAX) return -E2BIG;

    int r = arch::copy_from_proc(caller, m.SPAWN_PROG, program, static_cast<std::size_t>(prog_len));
    if (r != OK) return r;
    program[prog_len] = '\0';
    if (program[0] == '\0') return -EINVAL;
    if (args_len > 0) {
        r = arch::copy_from_proc(caller, m.SPAWN_ARGS, args, static_cast<std::size_t>(args_len));
        if (r != OK) return r;
    }

    Proc* p = proc_alloc_slot();
    if (!p) {
        kprintf("spawn: no free slot for %s\n", program);
        return -ENOMEM;
    }
    name_after(*p, program);
    p->p_spawner = caller.p_endpoint;
    r = arch::proc_spawn(*p, program, args, static_cast<std::size_t>(args_len));
    if (r != OK) {
        proc_free_slot(*p);
        return r;
    }
    m.SPAWN_ENDPT = p->p_endpoint;
    return OK;
}

}  // namespace umk
