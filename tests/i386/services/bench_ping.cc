// bench_ping TARGET TICKS: SENDREC round trips to the test_pong named TARGET
// for about TICKS clock ticks, then logs
//   "bench: N sendrec round trips in T ticks (HZ Hz): R per second"
// (relative numbers only: under QEMU TCG they say little about hardware).
#include <cstdlib>

#include "svc_util.h"

int main(int argc, char** argv) {
    using namespace umk;
    const char* target = argc > 1 ? argv[1] : "pong";
    const int ticks = argc > 2 ? std::atoi(argv[2]) : 30;
    const endpoint_t dst = test_svc::lookup(target);
    if (dst == NONE) {
        log_printf("bench: no process named %s\n", target);
        test_svc::idle();
    }
    const int hz = sys_hz();
    clock_t_ start = 0, now = 0;
    sys_uptime(&start);
    // Start on a tick boundary so that T is not off by most of a tick.
    do sys_uptime(&now);
    while (now == start);
    start = now;
    long trips = 0, bad = 0;
    while (now - start < static_cast<clock_t_>(ticks)) {
        for (int i = 0; i < 256; ++i) {
            message m{};
            m.m_type = test_svc::PING;
            m.m1_i1 = static_cast<int>(trips);
            if (ipc_sendrec(dst, &m) != OK || m.m_type != test_svc::PONG ||
                m.m1_i1 != static_cast<int>(trips))
                ++bad;
            ++trips;
        }
        sys_uptime(&now);
    }
    const long elapsed = static_cast<long>(now - start);
    log_printf("bench: %ld sendrec round trips in %ld ticks (%d Hz): %ld per second, %ld bad\n",
               trips, elapsed, hz, elapsed ? trips * hz / elapsed : 0, bad);
    test_svc::idle();
}
