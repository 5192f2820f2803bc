// i386_victim: a service managed by RS that crashes on purpose. It starts
// through SEF (so RS sees it initialize), logs
//   "victim: init type T, restarts R"
// and a few ticks later writes through a null pointer. RS, its signal
// manager, gets SIGSEGV and restarts it (SEF_INIT_RESTART, type 2).
#include "umklib/ipc.h"
#include "umklib/log.h"
#include "umklib/sef.h"
#include "umklib/syslib.h"

namespace {

int init(int type, umk::sef_init_info_t* info) {
    umk::log_printf("victim: init type %d, restarts %d\n", type, info ? info->restarts : -1);
    return umk::OK;
}

}  // namespace

int main() {
    using namespace umk;
    sef_setcb_init_fresh(init);
    sef_setcb_init_restart(init);
    sef_startup();
    sys_setalarm(3, false);
    for (;;) {
        message m{};
        if (sef_receive(ANY, &m) == OK && m.m_source == CLOCK) break;
    }
    log_printf("victim: crashing now\n");
    *static_cast<volatile int*>(nullptr) = 1;
    for (;;) {
        message m{};
        sef_receive(ANY, &m);
    }
}
