// PM (MINIX servers/pm/main.c): SEF callbacks, then the main loop. PM is
// the signal manager of user processes (and of system processes switched to
// it): SEF hands it each kernel signal through sig_manager.
#include "pm.h"
#include "umk/err.h"
#include "umklib/ipc.h"
#include "umklib/log.h"
#include "umklib/sef.h"

namespace {

int init_fresh(int, umk::sef_init_info_t* info) {
    umk::pm::pm_init(umk::self_endpoint(), info->rs_endpoint);
    return umk::OK;
}

}  // namespace

int main() {
    using namespace umk;
    sef_setcb_init_fresh(init_fresh);
    sef_setcb_init_restart(sef_cb_init_fail);  // the process table cannot be rebuilt
    sef_setcb_signal_manager(pm::sig_manager);
    sef_startup();
    for (;;) {
        message m{};
        int r = sef_receive(ANY, &m);
        if (r != OK) panic("pm: receive failed: %d", r);
        endpoint_t who = m.m_source;
        int result = pm::handle_request(m);
        if (result == -EDONTREPLY) continue;
        m.m_type = result;
        r = ipc_sendnb(who, &m);
        if (r != OK) log_printf("pm: cannot reply to %d: %d\n", who, r);
    }
}
