// SEF ping (MINIX lib/libsys/sef_ping.c): RS's heartbeat is a notification;
// the callback answers it (by default with a notification back).
#include "sef_internal.h"
#include "umklib/ipc.h"

namespace umk {
namespace sef {
namespace {
sef_cb_ping_reply_t ping_reply = sef_cb_ping_reply_pong;
}  // namespace

void ping_request(const message& m) {
    ping_reply(m.m_source);
}
void ping_reset() {
    ping_reply = sef_cb_ping_reply_pong;
}

}  // namespace sef

void sef_setcb_ping_reply(sef_cb_ping_reply_t cb) {
    sef::ping_reply = cb ? cb : sef_cb_ping_reply_pong;
}

void sef_cb_ping_reply_pong(endpoint_t source) {
    ipc_notify(source);
}
void sef_cb_ping_reply_null(endpoint_t) {}

}  // namespace umk
