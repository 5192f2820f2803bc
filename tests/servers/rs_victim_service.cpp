// rs_victim MODE: a SEF service for RS's integration tests
// (tests/servers/rs_system_test.cc). On its first, fresh start it
// misbehaves half a second after its init; restarted instances behave.
//   segv        null pointer write (CPU exception -> SIGSEGV)
//   syscall     a forbidden host system call (seccomp -> SIGSYS)
//   exit        sef_exit (sys_exit -> SIGABRT)
//   hang        stops answering RS's heartbeat pings
//   initfail    its fresh init fails (ENOSYS)
//   neverready  never reaches a live-update state (prepare says ENOTREADY)
//   good        nothing (a well-behaved service)
//   replicafail segv like `segv`; its first replica's init fails (ENOSYS),
//               later ones succeed (a replica whose init fails, policy restart)
// (.cpp, not .cc: the test glob must not pull it into the test executable.)
#include <fcntl.h>

#include <cstring>

#include "umk/com.h"
#include "umk/err.h"
#include "umklib/ipc.h"
#include "umklib/log.h"
#include "umklib/sef.h"
#include "umklib/syslib.h"

namespace {

using namespace umk;

const char* mode = "good";
bool misbehave_armed = false;

bool is(const char* m) {
    return std::strcmp(mode, m) == 0;
}

int init(int type, sef_init_info_t* info) {
    log_printf("rs_victim(%s): init type %d, restarts %d\n", mode, type, info->restarts);
    if (type == SEF_INIT_RESTART && is("replicafail") && info->restarts == 1) return -ENOSYS;
    if (type != SEF_INIT_FRESH) return OK;
    if (is("initfail")) return -ENOSYS;
    if (is("hang")) sef_setcb_ping_reply(sef_cb_ping_reply_null);
    if (is("segv") || is("syscall") || is("exit") || is("replicafail")) {
        misbehave_armed = true;
        sys_setalarm(sys_hz() / 2, false);
    }
    return OK;
}

[[noreturn]] void misbehave() {
    log_printf("rs_victim(%s): misbehaving now\n", mode);
    if (is("segv") || is("replicafail")) {
        static volatile int* nowhere = nullptr;
        *nowhere = 1;
    } else if (is("syscall")) {
        open("/etc/passwd", O_RDONLY);
    }
    sef_exit(1);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc > 1) mode = argv[1];
    sef_setcb_init_fresh(init);
    sef_setcb_init_restart(init);
    sef_setcb_init_lu(init);
    sef_setcb_lu_state_isvalid(sef_cb_lu_state_isvalid_standard);
    sef_setcb_lu_prepare(is("neverready") ? sef_cb_lu_prepare_never_ready
                                          : sef_cb_lu_prepare_always_ready);
    sef_setcb_signal_handler(sef_cb_signal_handler_term);
    sef_startup();
    for (;;) {
        message m{};
        if (sef_receive(ANY, &m) != OK) continue;
        if (is_notify(m.m_type) && m.m_source == CLOCK && misbehave_armed) misbehave();
    }
}
