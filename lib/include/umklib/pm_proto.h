// The PM protocol: process management and signals for user processes
// (MINIX include/minix/callnr.h numbers where they exist).
//
// PM spawns user processes (SYS_SPAWN + SYS_PRIVCTL SET_USER + ALLOW), keeps
// its own table of them, reaps them (exit, wait) and is their signal manager.
// For system processes it only routes: every signal goes through the kernel
// (sys_kill) so that the slot's signal manager decides, and when PM is that
// manager it delivers non-termination signals as SIGS_SIGNAL_RECEIVED
// messages and ends the process on termination signals.
#pragma once

#include "umk/com.h"
#include "umk/err.h"
#include "umk/types.h"
#include "umklib/ipc.h"

namespace umk {

inline constexpr int PM_EXIT = 1;        // status; no reply: the caller is gone
inline constexpr int PM_WAIT = 7;        // wait for a child to exit
inline constexpr int PM_GETPID = 20;     // reply m_type: the caller's pid (user processes)
inline constexpr int PM_KILL = 37;       // signal a process (by endpoint, umk)
inline constexpr int PM_SRV_KILL = 111;  // RS only: act as if the kernel raised it
inline constexpr int PM_SPAWN = 112;     // umk: start a user process from a program

#define PM_ENDPT m1_i1     // KILL, SRV_KILL, WAIT (ANY: any child); replies of WAIT, SPAWN
#define PM_SIG m1_i2       // KILL, SRV_KILL
#define PM_STATUS m1_i2    // EXIT: the exit code; WAIT reply: the status (see below)
#define PM_PID m1_i3       // SPAWN and WAIT replies
#define PM_PROGRAM m3_ca1  // SPAWN: the program (NUL-terminated, < 40 chars)
// SPAWN with arguments (callers that can make grants: system processes):
// PM_ARGS_LEN > 0 bytes "program\0arg1\0arg2\0..." behind the caller's
// grant PM_ARGS_GRANT (CPF_READ, to PM); PM_PROGRAM is then ignored. The
// child gets a copy of the caller's devman descriptors (DEVMAN_FORK).
#define PM_ARGS_GRANT m3_i1
#define PM_ARGS_LEN m3_i2
inline constexpr int PM_ARGS_MAX = 1024;  // E2BIG beyond

// Wait status, as POSIX: exit code << 8, or the terminating signal.
constexpr int pm_exit_status(int code) {
    return (code & 0xff) << 8;
}
constexpr int pm_signal_status(int sig) {
    return sig & 0x7f;
}
constexpr bool pm_exited(int status) {
    return (status & 0x7f) == 0;
}
constexpr int pm_exit_code(int status) {
    return (status >> 8) & 0xff;
}
constexpr int pm_term_sig(int status) {
    return status & 0x7f;
}

// PM crashed holding a request (the kernel answers its callers ERESTART; a
// replica at PM's endpoint serves what was still queued). Requests whose
// effect cannot have happened twice are asked again, up to this many times.
inline constexpr int PM_RESTART_RETRIES = 8;

// SENDREC to PM for the user side: PM_WAIT, PM_GETPID and PM_EXIT are
// repeated after ERESTART (a wait that PM had suspended is simply
// suspended again by the replica, which restored the child from its
// checkpoint). PM_SPAWN and PM_KILL are not: the crashed PM may have
// started the child or sent the signal already, so the caller gets
// ERESTART and decides. The transport result (OK or an IPC error);
// *retried (if given) counts the repetitions.
inline int pm_sendrec(message* m, int* retried = nullptr) {
    const message request = *m;
    const bool again =
        request.m_type == PM_WAIT || request.m_type == PM_GETPID || request.m_type == PM_EXIT;
    int r = ipc_sendrec(PM_PROC_NR, m);
    int i = 0;
    for (; again && r == -ERESTART && i < PM_RESTART_RETRIES; ++i) {
        *m = request;
        r = ipc_sendrec(PM_PROC_NR, m);
    }
    if (retried) *retried = i;
    return r;
}

// The user side of PM_EXIT: the process ends with `code`; PM clears its slot,
// so no answer ever comes (only an error returns: then there is no way out
// but to wait for the end).
[[noreturn]] inline void pm_exit(int code) {
    message m{};
    m.m_type = PM_EXIT;
    m.PM_STATUS = code;
    pm_sendrec(&m);
    for (;;) {
    }
}

}  // namespace umk
