// What the `service` tool does, for i386 test services (no shell): ask RS
// to start or update a service, with the request block passed by grant.
#pragma once

#include "umk/com.h"
#include "umk/err.h"
#include "umklib/ipc.h"
#include "umklib/rs_proto.h"
#include "umklib/syslib.h"

namespace i386_test {

inline constexpr umk::endpoint_t RS_EP = umk::RS_PROC_NR;  // generation 0: RS keeps it

// RS_UP / RS_UPDATE: the reply's result (OK or a negative error). `debug`
// is what `service update -x/-y/-z` sets (rs::RS_DEBUG_*).
inline int rs_request(int type, const char* label, const char* program, int state,
                      int debug = umk::rs::RS_DEBUG_NONE) {
    using namespace umk;
    static rs::rs_start block;
    block = rs::rs_start{};
    auto copy = [](char* dst, std::size_t size, const char* src) {
        std::size_t i = 0;
        for (; src[i] && i + 1 < size; ++i) dst[i] = src[i];
        dst[i] = '\0';
    };
    copy(block.label, sizeof block.label, label);
    copy(block.program, sizeof block.program, program);
    block.period = -1;
    block.state = state;
    block.debug = debug;
    const cp_grant_id_t g = cpf_grant_direct(RS_EP, vir_addr(&block), sizeof block, CPF_READ);
    if (g < 0) return g;
    message m{};
    m.m_type = type;
    m.RS_CMD_GRANT = g;
    m.RS_CMD_LEN = sizeof block;
    const int r = ipc_sendrec(RS_EP, &m);
    cpf_revoke(g);
    return r != OK ? r : m.m_type;
}

// Wait for `ticks` clock ticks (consumes the messages that arrive meanwhile).
inline void wait_ticks(int ticks) {
    using namespace umk;
    sys_setalarm(static_cast<clock_t_>(ticks), false);
    for (;;) {
        message m{};
        if (ipc_receive(ANY, &m) == OK && m.m_source == CLOCK) return;
    }
}

}  // namespace i386_test
