// umk_bench_pong: the passive side of the IPC benchmarks. Echoes every
// request back to its sender with SEND and answers every notification with
// a notification. Also serves as the "idle service" of BM_SendrecKernel64:
// one that never gets a message sits blocked in RECEIVE, as a real idle
// server does. No SEF: the benchmarks boot it without RS.
#include "bench_proto.h"
#include "umklib/ipc.h"

int main() {
    using namespace umk;
    while (true) {
        message m{};
        if (ipc_receive(ANY, &m) != OK) continue;
        if (is_notify(m.m_type))
            ipc_notify(m.m_source);
        else
            ipc_send(m.m_source, &m);
    }
}
