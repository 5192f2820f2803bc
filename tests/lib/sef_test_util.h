// Shared by the SEF unit tests: RS's endpoint, message builders, recorders
// for callbacks (plain function pointers, so they record into globals).
#pragma once

#include <utility>
#include <vector>

#include "fake_trap.h"
#include "umklib/rs_proto.h"
#include "umklib/sef.h"

namespace sef_test {

inline constexpr umk::endpoint_t RS = umk::RS_PROC_NR;
inline constexpr umk::endpoint_t PM = 0;
inline constexpr int NOTIFY_TYPE_RS = umk::NOTIFY_MESSAGE | 6;

inline umk::message init_msg(int type, std::int64_t debug = 0) {
    umk::message m = fake::msg(RS, umk::RS_INIT);
    m.RS_INIT_TYPE = type;
    m.RS_INIT_RESTARTS = 3;
    m.RS_INIT_OLD_ENDPT = 36999;
    m.RS_INIT_DEBUG = debug;
    return m;
}

inline umk::message lu_msg(int state, umk::endpoint_t from = RS) {
    umk::message m = fake::msg(from, umk::RS_LU_PREPARE);
    m.RS_LU_STATE = state;
    m.RS_LU_PREPARE_MAXTIME = 120;
    return m;
}

// Script a successful startup (RS_INIT fresh, RS accepts) and run it.
inline void start_service() {
    fake::push_receive(init_msg(umk::SEF_INIT_FRESH));
    fake::push_sendrec(RS, fake::msg(RS, umk::OK));
    umk::sef_startup();
    fake::traps.clear();
}

}  // namespace sef_test
