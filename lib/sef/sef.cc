// SEF entry points (MINIX lib/libsys/sef.c): startup, the receive loop that
// eats SEF's own traffic, exit and panic.
#include "../lib_internal.h"
#include "sef_internal.h"
#include "umk/format.h"
#include "umklib/ipc.h"
#include "umklib/log.h"
#include "umklib/rs_proto.h"
#include "umklib/syslib.h"
#include "umklib/trap.h"

namespace umk {

namespace sef {
endpoint_t rs_endpoint = NONE;
namespace {
bool panicking = false;
}  // namespace
}  // namespace sef

endpoint_t sef_rs_endpoint() {
    return sef::rs_endpoint;
}

void sef_startup() {
    // Wait for RS's init request, receiving from RS only, as MINIX does:
    // after a live update or a restart this image already owns an endpoint
    // whose queue may hold client requests (and RS_INIT, an asynchronous
    // message, is delivered after them); those must wait for sef_receive.
    message m;
    for (;;) {
        const int r = ipc_receive(RS_PROC_NR, &m);
        if (r != OK) {
            panic("sef_startup: waiting for RS_INIT from RS (endpoint %d) failed: %s", RS_PROC_NR,
                  errno_name(r));
        }
        if (m.m_type == RS_INIT) break;
        // Anything else from RS before RS_INIT was meant for our predecessor
        // at this endpoint (a heartbeat: notifications stay with the
        // endpoint; after a restart in place, a message the dead image was
        // handed but never read): nothing to answer before init.
        log_printf("sef_startup: ignoring %s 0x%x from RS before RS_INIT\n",
                   is_notify(m.m_type) ? "a notification" : "message type",
                   static_cast<unsigned>(m.m_type));
    }
    sef::rs_endpoint = m.m_source;
    const int result = sef::init_request(m);
    if (result != OK) {
        log_printf("sef: initialization failed (%s); exiting\n", errno_name(result));
        sef_exit(result);
    }
}

void sef_startup_rs() {
    sef::rs_endpoint = self_endpoint();
    sef_init_info_t info{sef::rs_endpoint, NONE, 0};
    // Without an RS to report to, the fresh callback is all there is.
    const int r = sef::init_fresh_callback()(SEF_INIT_FRESH, &info);
    if (r != OK) panic("sef_startup_rs: RS cannot initialize: %s", errno_name(r));
}

int sef_startup_rs_restart(const message& init) {
    sef::rs_endpoint = self_endpoint();
    sef::state_set_predecessor(static_cast<endpoint_t>(init.RS_INIT_PREV_ENDPT),
                               static_cast<cp_grant_id_t>(init.RS_INIT_PREV_GRANT));
    sef_init_info_t info{sef::rs_endpoint, static_cast<endpoint_t>(init.RS_INIT_OLD_ENDPT),
                         init.RS_INIT_RESTARTS};
    return sef::init_restart_callback()(SEF_INIT_RESTART, &info);
}

int sef_receive(endpoint_t src, message* m) {
    return sef_receive_status(src, m, nullptr);
}

int sef_receive_status(endpoint_t src, message* m, int* status) {
    for (;;) {
        // A pending live-update prepare is checked before every receive:
        // this is where the service is between two requests.
        if (sef::lu_preparing()) sef::lu_before_receive();

        const int r = ipc_receive(src, m);
        if (status) *status = r;
        if (r != OK) return r;

        const bool from_rs = sef::rs_endpoint != NONE && m->m_source == sef::rs_endpoint;
        if (is_notify(m->m_type)) {
            if (m->m_source == SYSTEM) {
                sef::signal_request(*m);
                continue;
            }
            if (from_rs) {
                sef::ping_request(*m);
                continue;
            }
            return OK;
        }
        switch (m->m_type) {
            case RS_INIT:
                // Meant for an earlier instance (e.g. before a restart): the
                // init of this one is over. MINIX drops it too.
                log_printf("sef: ignoring a late RS_INIT from %d\n", m->m_source);
                continue;
            case RS_LU_PREPARE:
                if (!from_rs) return OK;  // not SEF's business: the service decides
                sef::lu_request(*m);
                continue;
            case SIGS_SIGNAL_RECEIVED:
                sef::signal_request(*m);
                continue;
            case RS_FI:
                // `service fi L` (MINIX 3.4 fault injection): crash for real,
                // so that RS recovers the service as after any crash. Only
                // RS may ask; from anybody else it is the service's message.
                if (!from_rs) return OK;
                sef::crash("on request (service fi)");
            default:
                return OK;
        }
    }
}

void sef_exit(int status) {
    // On success the kernel raises SIGABRT on us and never answers.
    const int r = sys_exit();
    log_printf("sef: sys_exit failed (%s); leaving through the host\n", errno_name(r));
    arch_exit(status);
}

void panic(const char* fmt, ...) {
    if (sef::panicking) sef_exit(1);  // a panic while logging a panic
    sef::panicking = true;

    char text[256];
    va_list ap;
    va_start(ap, fmt);
    vformat(text, sizeof text, fmt, ap);
    va_end(ap);
    char name[PROC_NAME_LEN];
    if (sys_whoami(nullptr, name, sizeof name, nullptr) != OK) {
        name[0] = '?';
        name[1] = '\0';
    }
    log_printf("%s(%d): panic: %s\n", name, self_endpoint(), text);
    sef_exit(1);
}

namespace detail {
void sef_reset() {
    sef::rs_endpoint = NONE;
    sef::panicking = false;
    sef::init_reset();
    sef::ping_reset();
    sef::lu_reset();
    sef::signal_reset();
    sef::state_reset();
}
}  // namespace detail

}  // namespace umk
