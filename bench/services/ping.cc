// umk_bench_ping: the active side of the service-to-service benchmarks.
// On request it runs a batch of round trips against pong and reports when
// done, so the time the benchmark measures is that of two confined, traced
// services talking through the kernel, with one extra request per batch.
#include "bench_proto.h"
#include "umklib/ipc.h"

namespace {

using namespace umk;
using namespace umk::bench;

// SENDREC round trips; returns OK or the first failure; *done counts successes.
int run_sendrec(endpoint_t target, int count, int* done) {
    for (int i = 0; i < count; ++i) {
        message m{};
        m.m_type = BENCH_ECHO;
        m.m1_i1 = i;
        const int r = ipc_sendrec(target, &m);
        if (r != OK) return r;
        if (m.m_type != BENCH_ECHO || m.m1_i1 != i) return BENCH_BAD_REPLY;
        ++*done;
    }
    return OK;
}

// NOTIFY round trips: notify the target and wait for its notification back.
int run_notify(endpoint_t target, int count, int* done) {
    for (int i = 0; i < count; ++i) {
        int r = ipc_notify(target);
        if (r != OK) return r;
        message m{};
        r = ipc_receive(target, &m);
        if (r != OK) return r;
        if (!is_notify(m.m_type)) return BENCH_BAD_REPLY;
        ++*done;
    }
    return OK;
}

}  // namespace

int main() {
    while (true) {
        message m{};
        if (ipc_receive(ANY, &m) != OK) continue;
        const endpoint_t caller = m.m_source;
        int done = 0;
        int r = -ENOSYS;  // not a request ping knows
        if (m.m_type == BENCH_RUN_SENDREC)
            r = run_sendrec(m.m1_i2, m.m1_i1, &done);
        else if (m.m_type == BENCH_RUN_NOTIFY)
            r = run_notify(m.m1_i2, m.m1_i1, &done);
        message reply{};
        reply.m_type = r;
        reply.m1_i1 = done;
        ipc_send(caller, &reply);
    }
}
