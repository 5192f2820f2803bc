// test_ping TARGET COUNT: COUNT SENDRECs to the process named TARGET, each
// with a new request id; checks that every reply carries its own id (a lost
// message hangs, a duplicate shows as a wrong id) and counts the server
// versions that answered. Logs "ping: progress N" every 500 requests and "ping: done ..." and then
// idles.
#include <time.h>

#include <cstdlib>

#include "svc_util.h"

int main(int argc, char** argv) {
    using namespace umk;
    const char* target = argc > 1 ? argv[1] : "pong";
    const int count = argc > 2 ? std::atoi(argv[2]) : 5;
    endpoint_t dst = test_svc::lookup(target);
    if (dst == NONE) {
        log_printf("ping: no process named %s\n", target);
        test_svc::idle();
    }
    log_printf("ping: started, %d requests to %s (endpoint %d)\n", count, target, dst);
    int ok = 0, bad = 0, errors = 0, versions[4] = {};
    timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int id = 1; id <= count; ++id) {
        message m{};
        m.m_type = test_svc::PING;
        m.m1_i1 = id;
        int r = ipc_sendrec(dst, &m);
        if (r != OK) {
            ++errors;
            continue;
        }
        if (m.m_type == test_svc::PONG && m.m1_i1 == id) {
            ++ok;
            versions[m.m1_i2 & 3]++;
        } else {
            ++bad;
        }
        if (id % 500 == 0) log_printf("ping: progress %d\n", id);
        if (count <= 10) log_printf("ping: reply %d from version %d\n", m.m1_i1, m.m1_i2);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    const long long ns = (t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
    log_printf("ping: %lld ns per SENDREC round trip\n", count > 0 ? ns / count : 0);
    log_printf("ping: done %d/%d ok, %d bad, %d errors, v1 %d, v2 %d\n", ok, count, bad, errors,
               versions[1], versions[2]);
    test_svc::idle();
}
