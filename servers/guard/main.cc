// The guard (guard.h): RS's guardian, a tiny boot service. RS adopts it like
// any boot service and is its signal manager; the guard is RS's (boot.conf
// `sigmgr=guard`), so a death of RS reaches the guard as a kernel signal
// and the guard starts a new RS (guard.cc).
//
// The guard never blocks on RS, whose death it must survive: it does not
// use SEF's init (an init answer is a SENDREC to RS), but answers RS_INIT
// itself with an asynchronous message, and everything else it sends RS is
// asynchronous or a notification. No heap; all state is static.
#include "guard.h"
#include "umk/com.h"
#include "umk/err.h"
#include "umk/format.h"
#include "umk/proc_flags.h"
#include "umk/sig.h"
#include "umk/slots.h"
#include "umklib/guard_proto.h"
#include "umklib/ipc.h"
#include "umklib/log.h"
#include "umklib/rs_proto.h"
#include "umklib/sef.h"
#include "umklib/syslib.h"

namespace {

using namespace umk;
using namespace umk::guard;

class SysGuardHost final : public GuardHost {
  public:
    int spawn_rs(endpoint_t* ep) override { return sys_spawn("rs", nullptr, 0, ep); }
    int set_priv(endpoint_t ep, const priv_args& pa) override {
        priv_args copy = pa;  // the kernel reads it from our memory
        return sys_privctl(ep, SYS_PRIV_SET_SYS, &copy);
    }
    int allow(endpoint_t ep) override { return sys_privctl(ep, SYS_PRIV_ALLOW, nullptr); }
    int update(endpoint_t src, endpoint_t dst, int flags) override {
        return sys_update(src, dst, flags);
    }
    int clear(endpoint_t ep) override { return sys_clear(ep); }
    int kill(endpoint_t ep, int sig) override { return sys_kill(ep, sig); }
    int endksig(endpoint_t ep) override { return sys_endksig(ep); }
    bool started(endpoint_t ep) override {
        proc_info pi{};
        return sys_getinfo(GET_PROCINFO, &pi, sizeof pi, ep) == OK && (pi.misc_flags & MF_STARTED);
    }
    int send_init(endpoint_t prev_ep, int prev_grant, int restarts) override {
        message m{};
        m.m_type = RS_INIT;
        m.RS_INIT_TYPE = SEF_INIT_RESTART;
        m.RS_INIT_RESTARTS = restarts;
        m.RS_INIT_OLD_ENDPT = RS_PROC_NR;
        m.RS_INIT_PREV_ENDPT = static_cast<vir_bytes>(prev_grant < 0 ? NONE : prev_ep);
        m.RS_INIT_PREV_GRANT = static_cast<vir_bytes>(prev_grant < 0 ? GRANT_INVALID : prev_grant);
        return asynsend3(RS_PROC_NR, &m, AMF_NOREPLY);
    }
    int ping() override { return ipc_notify(RS_PROC_NR); }
    int forward(endpoint_t target, std::uint64_t set) override {
        message m{};
        m.m_type = GUARD_SIGNAL;
        m.GUARD_SIG_ENDPT = target;
        m.GUARD_SIG_MAP = static_cast<std::int64_t>(set);
        return asynsend3(RS_PROC_NR, &m, AMF_NOREPLY);
    }
    clock_t_ now() override {
        clock_t_ t = 0;
        sys_uptime(&t);
        return t;
    }
    void vlog(const char* fmt, va_list ap) override {
        char line[200];
        vformat(line, sizeof line, fmt, ap);
        log_printf("%s\n", line);
    }
};

SysGuardHost host;
Guardian guardian;
priv_args rs_priv;

void to_rs(int type) {
    message m{};
    m.m_type = type;
    asynsend3(RS_PROC_NR, &m, AMF_NOREPLY);
}

// Our own RS_INIT (fresh at boot, restart when RS restarted us): answered
// with an asynchronous RS_INIT, not SEF's SENDREC (see the top).
void own_init() {
    message m{};
    for (;;) {
        int r = ipc_receive(RS_PROC_NR, &m);
        if (r != OK) panic("guard: waiting for RS_INIT failed: %s", errno_name(r));
        if (m.m_type == RS_INIT) break;
    }
    // `service update -x/-y/-z` of the guard: misbehave as SEF would.
    if (m.RS_INIT_DEBUG & RS_INIT_DEBUG_CRASH) sef_crash("at initialization time");
    if (m.RS_INIT_DEBUG & RS_INIT_DEBUG_TIMEOUT) {
        sef_init_info_t info{m.m_source, m.RS_INIT_OLD_ENDPT, m.RS_INIT_RESTARTS};
        sef_cb_init_timeout(m.RS_INIT_TYPE, &info);
    }
    if (m.RS_INIT_DEBUG & (RS_INIT_DEBUG_FAIL | RS_INIT_DEBUG_FAIL_EARLY)) {
        message a{};
        a.m_type = RS_INIT;
        a.RS_INIT_RESULT = -ENOSYS;
        a.RS_INIT_TYPE = m.RS_INIT_TYPE;
        a.RS_INIT_STATE_AREA = GRANT_INVALID;
        asynsend3(RS_PROC_NR, &a, AMF_NOREPLY);
        // As SEF: exit once RS has taken the answer (it answers a failed
        // init), so that RS hears the error before the death.
        message ack{};
        ipc_receive(RS_PROC_NR, &ack);
        log_printf("guard: initialization failed (ENOSYS, as asked); exiting\n");
        sef_exit(-ENOSYS);
    }
    // Whatever we knew of RS went with the previous instance (a live update
    // included: the guard keeps nothing that RS cannot tell it): ask again.
    to_rs(GUARD_HELLO);
    guardian.init(host, self_endpoint());
    // Last, right before the receive loop: RS answers the init answer with
    // a non-blocking send, which needs us receiving.
    message a{};
    a.m_type = RS_INIT;
    a.RS_INIT_RESULT = OK;
    a.RS_INIT_TYPE = m.RS_INIT_TYPE;
    a.RS_INIT_STATE_AREA = GRANT_INVALID;
    int r = asynsend3(RS_PROC_NR, &a, AMF_NOREPLY);
    if (r != OK) panic("guard: cannot answer RS_INIT: %s", errno_name(r));
}

void collect_signals() {
    for (;;) {
        endpoint_t target = NONE;
        sigset_t_ set = 0;
        if (sys_getksig(&target, &set) != OK || target == NONE) return;
        guardian.signal(target, set);
    }
}

// RS_LU_PREPARE (`service update ... -label guard`): the guard is between
// two messages whenever it receives, so the standard states are reached at
// once; a custom state never is (RS's maxtime ends the update). The answer
// is asynchronous like everything the guard sends RS; it then waits in its
// usual receive, where the kernel may swap it. Should RS abort, its answer
// arrives there and is ignored like any other.
void lu_prepare(const message& m) {
    const int state = m.RS_LU_STATE;
    if (state < SEF_LU_STATE_WORK_FREE || state > SEF_LU_STATE_PROTOCOL_FREE) return;
    if (guardian.busy()) return;  // restarting RS: not now (RS's maxtime decides)
    message r{};
    r.m_type = RS_LU_PREPARE;
    r.RS_LU_STATE = state;
    r.RS_LU_RESULT = OK;
    asynsend3(RS_PROC_NR, &r, AMF_NOREPLY);
}

void rs_up(const message& m) {
    const priv_args* priv = nullptr;
    if (m.GUARD_PRIV_GRANT >= 0 && m.GUARD_PRIV_LEN == static_cast<int>(sizeof rs_priv) &&
        sys_safecopyfrom(RS_PROC_NR, m.GUARD_PRIV_GRANT, 0, vir_addr(&rs_priv), sizeof rs_priv) ==
            OK)
        priv = &rs_priv;
    guardian.rs_up(m.GUARD_RESULT, m.GUARD_STATE_GRANT, priv);
}

}  // namespace

int main() {
    own_init();
    sys_setalarm(PING_T, false);
    for (;;) {
        message m{};
        const bool was_busy = guardian.busy();
        int r = ipc_receive(ANY, &m);
        if (r != OK) {
            log_printf("guard: receive failed: %s\n", errno_name(r));
            continue;
        }
        if (is_notify(m.m_type)) {
            if (m.m_source == SYSTEM) {
                const auto set = static_cast<sigset_t_>(m.NOTIFY_ARG);
                if (sig_has(set, SIGKSIG)) collect_signals();
                if (sig_has(set, SIGKSTART)) guardian.started();
            } else if (m.m_source == CLOCK) {
                guardian.tick();
            } else if (m.m_source == RS_PROC_NR) {
                // RS's answer to our ping (RS never pings us: period 0 in
                // system.conf; answering would start an endless exchange).
                guardian.rs_alive();
            }
        } else if (m.m_source == RS_PROC_NR) {
            switch (m.m_type) {
                case GUARD_RS_UP:
                    rs_up(m);
                    break;
                case RS_FI:  // `service fi guard`
                    sef_crash("on request (service fi)");
                case RS_LU_PREPARE:
                    lu_prepare(m);
                    break;
                case SIGS_SIGNAL_RECEIVED:
                    // RS stops everything at shutdown (SIGTERM): so do we.
                    if (m.SIGS_SIG_NUM == SIGTERM) sef_exit(0);
                    break;
                default:
                    break;  // RS's answer to our init, a late RS_INIT: nothing to do
            }
        }
        // One alarm: short while a restart is in progress, else the ping
        // period, re-armed when it rang or the guard changed its pace.
        if (guardian.busy() || was_busy || (is_notify(m.m_type) && m.m_source == CLOCK))
            sys_setalarm(guardian.busy() ? TICK : PING_T, false);
    }
}
