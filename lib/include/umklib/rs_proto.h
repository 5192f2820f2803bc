// The RS protocol (MINIX include/minix/com.h, rs.h): requests to RS, and
// the messages RS sends to the services it manages (init, LU prepare).
#pragma once

#include "umk/com.h"

namespace umk {

inline constexpr int RS_RQ_BASE = 0x700;
inline constexpr int RS_UP = RS_RQ_BASE + 0;
inline constexpr int RS_DOWN = RS_RQ_BASE + 1;
inline constexpr int RS_REFRESH = RS_RQ_BASE + 2;
inline constexpr int RS_RESTART = RS_RQ_BASE + 3;
inline constexpr int RS_SHUTDOWN = RS_RQ_BASE + 4;
inline constexpr int RS_UPDATE = RS_RQ_BASE + 5;
inline constexpr int RS_RUN = RS_RQ_BASE + 6;   // umk: up, never restarted
inline constexpr int RS_LIST = RS_RQ_BASE + 7;  // umk: table of services
inline constexpr int RS_LOOKUP = RS_RQ_BASE + 8;
inline constexpr int RS_INIT = RS_RQ_BASE + 0x14;
inline constexpr int RS_LU_PREPARE = RS_RQ_BASE + 0x15;

// RS_INIT: RS -> service (asynsend), then service -> RS (sendrec) with the result.
#define RS_INIT_RESULT m1_i1
#define RS_INIT_TYPE m1_i2
#define RS_INIT_RESTARTS m1_i3
#define RS_INIT_OLD_ENDPT m1_i4

// RS_LU_PREPARE: RS -> service with the wanted state (0 cancels); service ->
// RS (sendrec) when ready, with the result.
#define RS_LU_RESULT m1_i1
#define RS_LU_STATE m1_i2
#define RS_LU_PREPARE_MAXTIME m1_i3

// Requests from a client (the service tool): the request block is in the
// client's memory, reachable through a grant.
#define RS_CMD_GRANT m1_i1
#define RS_CMD_LEN m1_i2
#define RS_ENDPOINT m1_i3  // reply of LOOKUP / UP: the service's endpoint
#define RS_NAME m3_ca1     // LOOKUP, DOWN, REFRESH, RESTART: the label (inline)

// Signals for system processes delivered as a message (PM -> process).
inline constexpr int SIGS_SIGNAL_RECEIVED = 0xE00;
#define SIGS_SIG_NUM m2_i1

}  // namespace umk

namespace umk {

// RS_INIT (RS -> service): debugging behaviour RS forces on the new instance
// (`service update -x/-y/-z`). sef_startup replaces the init callback for
// this one init with the predefined one; CRASH wins over TIMEOUT over FAIL.
#define RS_INIT_DEBUG m1_l1
inline constexpr std::int64_t RS_INIT_DEBUG_CRASH = 0x1;    // sef_cb_init_crash
inline constexpr std::int64_t RS_INIT_DEBUG_FAIL = 0x2;     // sef_cb_init_fail
inline constexpr std::int64_t RS_INIT_DEBUG_TIMEOUT = 0x4;  // sef_cb_init_timeout

}  // namespace umk
