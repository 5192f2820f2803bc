// Helpers for the servers' system-test programs (they run inside a booted
// umk system and report through the kernel log; tests/servers/*_system_test.cc
// boot them and read the log).
#pragma once

#include "umk/com.h"
#include "umk/err.h"
#include "umklib/ipc.h"
#include "umklib/log.h"
#include "umklib/sef.h"
#include "umklib/syslib.h"

// Log "<who>: FAILED at line N: <cond>" and return from the test function.
#define ST_CHECK(who, cond)                                                       \
    do {                                                                          \
        if (!(cond)) {                                                            \
            umk::log_printf("%s: FAILED at line %d: %s\n", who, __LINE__, #cond); \
            return false;                                                         \
        }                                                                         \
    } while (0)

namespace st {

// Let `ticks` clock ticks pass, serving nothing but SEF's own traffic.
inline void wait_ticks(int ticks) {
    umk::sys_setalarm(static_cast<umk::clock_t_>(ticks), false);
    for (;;) {
        umk::message m{};
        if (umk::sef_receive(umk::ANY, &m) != umk::OK) return;
        if (m.m_source == umk::CLOCK && umk::is_notify(m.m_type)) return;
    }
}

}  // namespace st
