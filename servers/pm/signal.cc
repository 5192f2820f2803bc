// PM's signal handling (MINIX servers/pm/signal.c, reference section 12).
//
// Users: PM_KILL goes through the kernel (sys_kill) so the target's signal
// manager decides; a user may not send a termination signal to a system
// process (EPERM). As signal manager PM gets the signals back through SEF
// (SIGKSIG -> sys_getksig -> sig_manager -> sys_endksig):
//   - a user process ends on every signal whose POSIX default is to
//     terminate (no user handlers on umk); CHLD, CONT, URG, WINCH are ignored;
//   - a system process that has PM as its manager gets non-termination
//     signals as a SIGS_SIGNAL_RECEIVED message (SEF's signal handler) and is
//     ended on termination signals.
#include "pm_internal.h"
#include "umk/err.h"
#include "umk/sig.h"
#include "umklib/ipc.h"
#include "umklib/log.h"
#include "umklib/pm_proto.h"
#include "umklib/rs_proto.h"
#include "umklib/syslib.h"

namespace umk::pm {
namespace {

constexpr int SIGCONT_ = 18, SIGURG_ = 23, SIGWINCH_ = 28;

bool ignored_by_default(int sig) {
    return sig == SIGCHLD || sig == SIGCONT_ || sig == SIGURG_ || sig == SIGWINCH_ ||
           sig_is_kernel(sig);
}

// `sig` happened to `target` and PM is in charge (kernel path or SRV_KILL).
int process_signal(endpoint_t target, int sig) {
    if (MProc* p = live_user(target)) {
        if (ignored_by_default(sig)) return OK;
        log_printf("pm: %s (endpoint %d) terminated by signal %d\n", p->name, target, sig);
        exit_proc(*p, pm_signal_status(sig));
        return -EDEADSRCDST;
    }
    // A system process: no POSIX handlers.
    if (sig_is_kernel(sig)) return OK;
    if (sig_is_termination(sig)) {
        log_printf("pm: system process %d ends on signal %d\n", target, sig);
        int r = sys_clear(target);
        if (r != OK) log_printf("pm: sys_clear(%d) failed: %d\n", target, r);
        return -EDEADSRCDST;
    }
    message m{};
    m.m_type = SIGS_SIGNAL_RECEIVED;
    m.SIGS_SIG_NUM = sig;
    int r = asynsend3(target, &m, AMF_NOREPLY);
    if (r != OK) {
        log_printf("pm: cannot deliver signal %d to %d: %d\n", sig, target, r);
        return r == -EDEADSRCDST ? r : OK;
    }
    return OK;
}

}  // namespace

int do_kill(message& m) {
    endpoint_t target = m.PM_ENDPT;
    int sig = m.PM_SIG;
    if (sig < 0 || sig >= NSIG_REGULAR) return -EINVAL;
    if (const MProc* t = lookup(target); t && (t->flags & MP_ZOMBIE)) return -ESRCH;
    bool target_is_user = live_user(target) != nullptr;
    bool caller_is_user = live_user(m.m_source) != nullptr;
    if (!target_is_user && caller_is_user && sig_is_termination(sig)) {
        log_printf("pm: user %d may not send signal %d to system process %d\n", m.m_source, sig,
                   target);
        return -EPERM;
    }
    if (sig == 0) return target_is_user ? OK : -ESRCH;  // existence check (users only)
    // Always through the kernel: the target's signal manager decides.
    return sys_kill(target, sig);
}

int do_srv_kill(message& m) {
    if (m.m_source != rs_endpoint) return -EPERM;
    int sig = m.PM_SIG;
    if (!sig_valid(sig)) return -EINVAL;
    int r = process_signal(m.PM_ENDPT, sig);
    return r == -EDEADSRCDST ? OK : r;
}

int sig_manager(endpoint_t target, int sig) {
    return process_signal(target, sig);
}

}  // namespace umk::pm
