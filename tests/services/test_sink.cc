// test_sink: counts every message but PING (a hostile sender may have
// scrambled the type); on a PING replies with the count in m1_i1.
#include "svc_util.h"

int main() {
    using namespace umk;
    int count = 0;
    for (;;) {
        message m{};
        if (ipc_receive(ANY, &m) != OK) continue;
        if (m.m_type != test_svc::PING) {
            ++count;
        } else {
            const endpoint_t caller = m.m_source;
            m.m_type = test_svc::PONG;
            m.m1_i1 = count;
            ipc_send(caller, &m);
        }
    }
}
