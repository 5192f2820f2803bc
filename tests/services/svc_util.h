// Small helpers shared by the test services of the Linux host tests.
#pragma once

#include <cstring>

#include "umk/com.h"
#include "umk/config.h"
#include "umk/proc_flags.h"
#include "umklib/ipc.h"
#include "umklib/log.h"
#include "umklib/syslib.h"

namespace test_svc {

// Request types of the test protocol.
inline constexpr int PING = 0x7701;  // m1_i1: request id
inline constexpr int PONG = 0x7702;  // m1_i1: request id, m1_i2: version of the server
inline constexpr int SINK = 0x7703;  // fire-and-forget message counted by a sink

// The endpoint of the live process named `name`, or NONE (GET_PROCTAB).
inline umk::endpoint_t lookup(const char* name) {
    static umk::proc_info tab[umk::NR_TASKS + umk::NR_PROCS];
    if (umk::sys_getinfo(umk::GET_PROCTAB, tab, sizeof tab) != umk::OK) return umk::NONE;
    for (const umk::proc_info& p : tab) {
        if (!(p.rts_flags & umk::RTS_SLOT_FREE) && std::strncmp(p.name, name, sizeof p.name) == 0)
            return p.endpoint;
    }
    return umk::NONE;
}

// Block for ever without using the CPU (a receive nobody answers).
[[noreturn]] inline void idle() {
    for (;;) {
        umk::message m{};
        umk::ipc_receive(umk::ANY, &m);
    }
}

}  // namespace test_svc
