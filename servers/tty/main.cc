// TTY's main loop: SEF, then devman's requests; SIGKMESS arrives through
// SEF's signal handling (a notification from SYSTEM) while we wait.
#include "tty.h"
#include "umk/err.h"
#include "umklib/driver.h"
#include "umklib/sef.h"

namespace {

void sef_local_startup() {
    using namespace umk;
    sef_setcb_init_fresh(tty::init);
    sef_setcb_init_lu(tty::init);
    sef_setcb_init_restart(tty::init);
    // Never a request in progress between two messages: every state is
    // reached at once. The log position is the kernel's; TTY's own account
    // crosses through sef_state (state.cc), checkpointed once more here.
    sef_setcb_lu_prepare(sef_cb_lu_prepare_always_ready);
    sef_setcb_lu_state_isvalid(sef_cb_lu_state_isvalid_standard);
    sef_setcb_lu_state_save([](int) { return tty::state_checkpoint(); });
    sef_setcb_signal_handler(tty::signal_handler);
    if (int r = tty::state_setup(); r != OK) panic("tty: cannot set up its state area: %d", r);
    sef_startup();
}

}  // namespace

int main() {
    sef_local_startup();
    umk::driver_task("tty", umk::tty::handle_request);
}
