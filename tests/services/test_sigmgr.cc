// test_sigmgr: a signal manager for the tests. On SIGKSIG it collects every
// pending kernel signal with SYS_GETKSIG and logs
//   "tsm: signal N for endpoint E"
// then ends a crashed process with sys_clear (as RS would before a
// restart) and acknowledges the others with SYS_ENDKSIG.
#include "svc_util.h"
#include "umk/sig.h"

int main() {
    using namespace umk;
    log_printf("tsm: up, endpoint %d\n", self_endpoint());
    for (;;) {
        message m{};
        if (ipc_receive(ANY, &m) != OK) continue;
        if (!is_notify(m.m_type) || m.m_source != SYSTEM) continue;
        const sigset_t_ sigs = static_cast<sigset_t_>(m.NOTIFY_ARG);
        if (!sig_has(sigs, SIGKSIG)) continue;
        for (;;) {
            endpoint_t ep = NONE;
            sigset_t_ map = 0;
            if (sys_getksig(&ep, &map) != OK || ep == NONE) break;
            bool lethal = false;
            for (int s = 1; s < NR_SIGS; ++s) {
                if (!sig_has(map, s)) continue;
                log_printf("tsm: signal %d for endpoint %d\n", s, ep);
                lethal = lethal || sig_is_termination(s);
            }
            if (lethal) {
                int r = sys_clear(ep);
                log_printf("tsm: cleared endpoint %d: %d\n", ep, r);
            } else {
                sys_endksig(ep);
            }
        }
    }
}
