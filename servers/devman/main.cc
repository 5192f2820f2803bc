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
    umk::devman::state_checkpoint();
    return umk::OK;
}

// Live update and restart: the predecessor's tables (state.cc). The first
// checkpoint of this instance is written at once, so that a crash before
// its first request still finds the state.
int init_with_state(int type, umk::sef_init_info_t*) {
    umk::devman::devman_init(umk::self_endpoint());
    const int r = umk::devman::state_restore(type);
    if (r == umk::OK) umk::devman::state_checkpoint();
    return r;
}

}  // namespace

int main() {
    using namespace umk;
    sef_setcb_init_fresh(init_fresh);
    sef_setcb_init_lu(init_with_state);
    sef_setcb_init_restart(init_with_state);
    sef_setcb_lu_prepare(devman::lu_prepare);
    sef_setcb_lu_state_isvalid(devman::lu_state_isvalid);
    sef_setcb_lu_state_save(devman::lu_state_save);
    sef_setcb_lu_state_changed(devman::lu_state_changed);
    if (int r = devman::state_setup(); r != OK)
        panic("devman: cannot set up its state area: %d", r);
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
