// SEF signals (MINIX lib/libsys/sef_signal.c). A system process gets signals
// two ways:
//  - a notification from SYSTEM whose NOTIFY_ARG is a signal set: each
//    kernel signal goes to the signal handler; SIGKSIG (we are a signal
//    manager with signals to collect) makes us drain SYS_GETKSIG, handing
//    each signal to the signal-manager callback and ending each target with
//    SYS_ENDKSIG; SIGKSIGSM (signals for ourselves, as our own manager)
//    hands every regular signal of the set to the handler;
//  - a SIGS_SIGNAL_RECEIVED message from PM carrying one signal.
#include "sef_internal.h"
#include "umk/sig.h"
#include "umklib/log.h"
#include "umklib/rs_proto.h"
#include "umklib/syslib.h"

namespace umk {
namespace sef {
namespace {

sef_cb_signal_handler_t handler = sef_cb_signal_handler_null;
sef_cb_signal_manager_t manager = sef_cb_signal_manager_null;

void collect_managed_signals() {
    for (;;) {
        endpoint_t target;
        sigset_t_ set;
        int r = sys_getksig(&target, &set);
        if (r != OK) panic("sef: sys_getksig failed: %s", errno_name(r));
        if (target == NONE) return;
        r = OK;
        for (int sig = 1; sig < NR_SIGS; ++sig) {
            if (!sig_has(set, sig)) continue;
            r = manager(target, sig);
            if (r == -EDEADSRCDST) break;  // the target is gone: nothing to end
        }
        if (r == OK) {
            r = sys_endksig(target);
            if (r != OK) panic("sef: sys_endksig(%d) failed: %s", target, errno_name(r));
        }
    }
}

void own_signals(sigset_t_ set) {
    for (int sig = 1; sig < NSIG_REGULAR; ++sig) {
        if (sig_has(set, sig)) handler(sig);
    }
}

}  // namespace

void signal_request(const message& m) {
    if (m.m_type == SIGS_SIGNAL_RECEIVED) {
        const int sig = m.SIGS_SIG_NUM;
        if (!sig_valid(sig)) {
            log_printf("sef: ignoring SIGS_SIGNAL_RECEIVED with bad signal %d from %d\n", sig,
                       m.m_source);
            return;
        }
        handler(sig);
        return;
    }
    const sigset_t_ set = static_cast<sigset_t_>(m.NOTIFY_ARG);
    for (int sig = 1; sig < NR_SIGS; ++sig) {
        if (!sig_is_kernel(sig) || !sig_has(set, sig)) continue;
        handler(sig);
        if (sig == SIGKSIG) {
            collect_managed_signals();
        } else if (sig == SIGKSIGSM) {
            own_signals(set);
        }
    }
}

void signal_reset() {
    handler = sef_cb_signal_handler_null;
    manager = sef_cb_signal_manager_null;
}

}  // namespace sef

void sef_setcb_signal_handler(sef_cb_signal_handler_t cb) {
    sef::handler = cb ? cb : sef_cb_signal_handler_null;
}
void sef_setcb_signal_manager(sef_cb_signal_manager_t cb) {
    sef::manager = cb ? cb : sef_cb_signal_manager_null;
}

void sef_cb_signal_handler_null(int) {}

void sef_cb_signal_handler_term(int signo) {
    if (signo == SIGTERM) sef_exit(1);
}

void sef_cb_signal_handler_posix_default(int signo) {
    // Linux numbers, like every regular signal on umk (umk/sig.h).
    constexpr int SIGCONT_ = 18, SIGTSTP_ = 20, SIGTTIN_ = 21, SIGTTOU_ = 22, SIGWINCH_ = 28;
    switch (signo) {
        case SIGCHLD:
        case SIGCONT_:
        case SIGTSTP_:
        case SIGTTIN_:
        case SIGTTOU_:
        case SIGWINCH_:
            return;  // ignored, as POSIX does by default
        default:
            if (!sig_is_kernel(signo)) sef_exit(1);
    }
}

int sef_cb_signal_manager_null(endpoint_t, int) {
    return OK;
}

}  // namespace umk
