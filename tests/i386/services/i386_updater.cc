// i386_updater OLD NEW WAIT: a live update without RS, as the Linux host's
// update test does it from a client. After WAIT clock ticks it swaps the
// images of the processes named OLD and NEW with SYS_UPDATE (retrying while
// the kernel says EBUSY, i.e. while OLD is in the middle of a send), then
// checks that OLD's endpoint is now answered by NEW's program:
//   "updater: sys_update(OLD, NEW) = 0 after N tries"
//   "updater: endpoint E now answered by version V (source E)"
#include <cstdlib>

#include "svc_util.h"

int main(int argc, char** argv) {
    using namespace umk;
    const char* old_name = argc > 1 ? argv[1] : "pong";
    const char* new_name = argc > 2 ? argv[2] : "pong2";
    const int wait = argc > 3 ? std::atoi(argv[3]) : 10;
    const endpoint_t old_ep = test_svc::lookup(old_name);
    const endpoint_t new_ep = test_svc::lookup(new_name);
    if (old_ep == NONE || new_ep == NONE) {
        log_printf("updater: %s or %s is not running\n", old_name, new_name);
        test_svc::idle();
    }
    // Let the clients of OLD get going first.
    sys_setalarm(static_cast<clock_t_>(wait), false);
    for (;;) {
        message m{};
        if (ipc_receive(ANY, &m) == OK && m.m_source == CLOCK) break;
    }
    int r = -EBUSY, tries = 0;
    while (r == -EBUSY && tries++ < 100000) r = sys_update(old_ep, new_ep);
    log_printf("updater: sys_update(%s, %s) = %d after %d tries\n", old_name, new_name, r, tries);
    message m{};
    m.m_type = test_svc::PING;
    m.m1_i1 = 7;
    r = ipc_sendrec(old_ep, &m);
    if (r != OK || m.m_type != test_svc::PONG || m.m1_i1 != 7)
        log_printf("updater: endpoint %d did not answer properly: %d\n", old_ep, r);
    else
        log_printf("updater: endpoint %d now answered by version %d (source %d)\n", old_ep, m.m1_i2,
                   m.m_source);
    test_svc::idle();
}
