// The hello driver's main loop (MINIX drivers/hello/hello.c + libdriver).
#include "hello.h"
#include "umk/err.h"
#include "umklib/driver.h"
#include "umklib/sef.h"

namespace {

void sef_local_startup() {
    using namespace umk;
    // One init callback for every type; LU: always ready from any standard
    // state, with the open counter saved in DS.
    sef_setcb_init_fresh(hello::init);
    sef_setcb_init_lu(hello::init);
    sef_setcb_init_restart(hello::init);
    sef_setcb_lu_prepare(sef_cb_lu_prepare_always_ready);
    sef_setcb_lu_state_isvalid(sef_cb_lu_state_isvalid_standard);
    sef_setcb_lu_state_save(hello::lu_state_save);
    sef_setcb_signal_handler(sef_cb_signal_handler_term);
    if (int r = hello::setup_state(); r != OK) panic("hello: no state area: %d", r);
    sef_startup();
}

}  // namespace

int main() {
    sef_local_startup();
    umk::driver_task("hello", umk::hello::handle_request);
}
