// A system process whose signal manager is PM (boot config: sigmgr=pm). It
// does not use SEF (RS does not manage it): it prints every message it
// gets, so the test sees PM's SIGS_SIGNAL_RECEIVED and who sent it.
#include "st_util.h"
#include "umklib/rs_proto.h"

int main() {
    using namespace umk;
    log_printf("SIGPM: up\n");
    for (;;) {
        message m{};
        if (ipc_receive(ANY, &m) != OK) continue;
        if (m.m_type == SIGS_SIGNAL_RECEIVED)
            log_printf("SIGPM: signal %d as a message from %d\n", m.SIGS_SIG_NUM, m.m_source);
    }
}
