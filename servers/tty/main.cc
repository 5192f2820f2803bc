// TTY's main loop: SEF, then devman's requests; SIGKMESS arrives through
// SEF's signal handling (a notification from SYSTEM) while we wait.
#include "tty.h"
#include "umk/err.h"
#include "umklib/ipc.h"
#include "umklib/log.h"
#include "umklib/sef.h"

namespace {

void sef_local_startup() {
    using namespace umk;
    sef_setcb_init_fresh(tty::init);
    sef_setcb_init_lu(tty::init);
    sef_setcb_init_restart(tty::init);
    // Nothing to save: the shown position of the log is the kernel's.
    sef_setcb_lu_prepare(sef_cb_lu_prepare_always_ready);
    sef_setcb_lu_state_isvalid(sef_cb_lu_state_isvalid_standard);
    sef_setcb_signal_handler(tty::signal_handler);
    sef_startup();
}

}  // namespace

int main() {
    using namespace umk;
    sef_local_startup();
    for (;;) {
        message m{};
        int r = sef_receive(ANY, &m);
        if (r != OK) panic("tty: receive failed: %d", r);
        const endpoint_t who = m.m_source;
        if (!tty::handle_request(m)) continue;
        r = ipc_sendnb(who, &m);
        if (r != OK) log_printf("tty: cannot reply to %d: %d\n", who, r);
    }
}
