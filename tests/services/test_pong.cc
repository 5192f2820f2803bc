// test_pong [VERSION]: answers every PING with a PONG carrying the request
// id and its VERSION (default 1). Used for ping-pong, the 64-service boot
// and the live-update test (two versions of the same program).
#include <cstdlib>

#include "svc_util.h"

int main(int argc, char** argv) {
    using namespace umk;
    const int version = argc > 1 ? std::atoi(argv[1]) : 1;
    log_printf("pong: up, version %d, endpoint %d\n", version, self_endpoint());
    for (;;) {
        message m{};
        if (ipc_receive(ANY, &m) != OK) continue;
        if (m.m_type != test_svc::PING) continue;
        const endpoint_t caller = m.m_source;
        m.m_type = test_svc::PONG;
        m.m1_i2 = version;
        ipc_send(caller, &m);
    }
}
