// devman, the device layer: SEF callbacks, then the main loop.
#include "devman.h"
#include "umk/err.h"
#include "umklib/ipc.h"
#include "umklib/log.h"
#include "umklib/sef.h"

namespace {

int init_fresh(int, umk::sef_init_info_t*) {
    umk::devman::devman_init(umk::self_endpoint());
    // Not DS yet: it may still be starting. devman subscribes to the driver
    // announcements with its first request (and looks drivers up on demand).
    return umk::OK;
}

}  // namespace

int main() {
    using namespace umk;
    sef_setcb_init_fresh(init_fresh);
    sef_setcb_init_restart(init_fresh);  // open files are lost; drivers come from DS again
    sef_startup();
    for (;;) {
        message m{};
        int r = sef_receive(ANY, &m);
        if (r != OK) panic("devman: receive failed: %d", r);
        endpoint_t who = m.m_source;
        int result = devman::handle_request(m);
        if (result == -EDONTREPLY) continue;
        m.m_type = result;
        r = ipc_sendnb(who, &m);
        if (r != OK) log_printf("devman: cannot reply to %d: %d\n", who, r);
    }
}
