// SEF init (MINIX lib/libsys/sef_init.c): run the callback for the init type
// RS asked for and report the result with a SENDREC, which blocks until RS
// has accepted (or decided what to do with) the new instance.
#include "../lib_internal.h"
#include "sef_internal.h"
#include "umklib/ipc.h"
#include "umklib/log.h"
#include "umklib/rs_proto.h"
#include "umklib/trap.h"

namespace umk {
namespace sef {
namespace {

struct InitCallbacks {
    sef_cb_init_t fresh = sef_cb_init_null;
    sef_cb_init_t lu = sef_cb_init_null;
    sef_cb_init_t restart = sef_cb_init_null;
};
InitCallbacks cbs;

// RS can force a misbehaving init for testing (RS_INIT_DEBUG).
sef_cb_init_t debug_override(std::int64_t debug) {
    if (debug & RS_INIT_DEBUG_CRASH) return sef_cb_init_crash;
    if (debug & RS_INIT_DEBUG_TIMEOUT) return sef_cb_init_timeout;
    if (debug & RS_INIT_DEBUG_FAIL) return sef_cb_init_fail;
    return nullptr;
}

}  // namespace

sef_cb_init_t init_fresh_callback() {
    return cbs.fresh;
}

sef_cb_init_t init_restart_callback() {
    return cbs.restart;
}

int init_request(const message& m) {
    const int type = m.RS_INIT_TYPE;
    sef_init_info_t info{m.m_source, m.RS_INIT_OLD_ENDPT, m.RS_INIT_RESTARTS};
    sef_cb_init_t cb = nullptr;
    switch (type) {
        case SEF_INIT_FRESH:
            cb = cbs.fresh;
            break;
        case SEF_INIT_LU:
            cb = cbs.lu;
            break;
        case SEF_INIT_RESTART:
            cb = cbs.restart;
            break;
        default:
            break;
    }
    if (type == SEF_INIT_LU || type == SEF_INIT_RESTART)
        state_set_predecessor(static_cast<endpoint_t>(m.RS_INIT_PREV_ENDPT),
                              static_cast<cp_grant_id_t>(m.RS_INIT_PREV_GRANT));
    else
        state_set_predecessor(NONE, GRANT_INVALID);
    int result = -EINVAL;  // not an init type we know
    if (cb) {
        if (sef_cb_init_t forced = debug_override(m.RS_INIT_DEBUG)) cb = forced;
        result = cb(type, &info);
    } else {
        log_printf("sef: RS_INIT with unknown init type %d\n", type);
    }

    message reply = detail::blank_message();
    reply.m_type = RS_INIT;
    reply.RS_INIT_RESULT = result;
    reply.RS_INIT_TYPE = type;
    reply.RS_INIT_STATE_AREA = result == OK ? state_grant_for_init() : GRANT_INVALID;
    const int r = ipc_sendrec(m.m_source, &reply);
    if (r != OK)
        panic("sef: cannot report the init result (%s) to RS %d: %s", errno_name(result),
              m.m_source, errno_name(r));
    // RS answers OK once it accepted us; a negative answer means it will not.
    if (result == OK && reply.m_type < 0) return reply.m_type;
    return result;
}

void init_reset() {
    cbs = InitCallbacks{};
}

[[noreturn]] void crash(const char* what) {
    log_printf("sef: simulating a crash %s\n", what);
    // A real fault (SIGSEGV on Linux, a page fault on i386), not an exit:
    // the address comes from a volatile so the compiler cannot see it is 0.
    static volatile std::uintptr_t nowhere = 0;
    *reinterpret_cast<volatile int*>(nowhere) = 1;
    panic("sef: the simulated crash %s did not fault", what);
}

[[noreturn]] void hang(const char* what) {
    log_printf("sef: simulating a hang %s\n", what);
    for (;;) {
        // Block in the kernel: CLOCK only sends our own alarms, so this
        // waits for ever without consuming anyone's messages. If the kernel
        // refuses, sleep instead of spinning.
        message m;
        if (ipc_receive(CLOCK, &m) != OK) arch_idle();
    }
}

}  // namespace sef

void sef_setcb_init_fresh(sef_cb_init_t cb) {
    sef::cbs.fresh = cb ? cb : sef_cb_init_null;
}
void sef_setcb_init_lu(sef_cb_init_t cb) {
    sef::cbs.lu = cb ? cb : sef_cb_init_null;
}
void sef_setcb_init_restart(sef_cb_init_t cb) {
    sef::cbs.restart = cb ? cb : sef_cb_init_null;
}

void sef_crash(const char* what) {
    sef::crash(what);
}

int sef_cb_init_null(int, sef_init_info_t*) {
    return OK;
}
int sef_cb_init_fail(int, sef_init_info_t*) {
    return -ENOSYS;
}
int sef_cb_init_crash(int, sef_init_info_t*) {
    sef::crash("at initialization time");
}
int sef_cb_init_timeout(int, sef_init_info_t*) {
    sef::hang("at initialization time");
}

}  // namespace umk
