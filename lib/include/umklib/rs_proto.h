// The RS protocol (MINIX include/minix/com.h, rs.h): requests to RS, the
// messages RS sends to the services it manages (init, LU prepare), and the
// blocks a request passes by grant (rs_start, rs_list_entry). Plain data,
// shared by RS, the services, the `umk service` tool and the control proxy.
#pragma once

#include <cstdint>

#include "umk/com.h"
#include "umk/types.h"
#include "umklib/service_conf.h"

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
// Fault injection (MINIX 3.4's number, `service fi L`): the label inline in
// RS_NAME, and MANAGE_SERVICES like every request that changes something.
// RS asynsends a message of the same type to the service, whose SEF (if it
// comes from RS) crashes the service on purpose; a service that does not
// receive through SEF ignores it. `fi rs` crashes RS itself.
inline constexpr int RS_FI = RS_RQ_BASE + 24;

// RS_INIT: RS -> service (asynsend), then service -> RS (sendrec) with the result.
#define RS_INIT_RESULT m1_i1
#define RS_INIT_TYPE m1_i2
#define RS_INIT_RESTARTS m1_i3
#define RS_INIT_OLD_ENDPT m1_i4
// umk (state transfer, umklib/sef_state.h): for LU and RESTART, where the
// predecessor's image now waits and the grant of its state area (RS sets
// GRANT_INVALID when there is none: fresh start, reset policy).
#define RS_INIT_PREV_ENDPT m1_p2
#define RS_INIT_PREV_GRANT m1_p3
// In the service's answer: the grant of its own state area (GRANT_INVALID
// if it has none), which RS hands to its successor.
#define RS_INIT_STATE_AREA m1_i3

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

// The request block of RS_UP / RS_RUN / RS_UPDATE (MINIX struct rs_start)
// and the entries of RS_LIST. A client puts the block in its own memory and
// passes a grant (RS_CMD_GRANT, RS_CMD_LEN); RS copies it in with
// sys_safecopyfrom.
namespace umk::rs {

inline constexpr int PROGRAM_MAX = 128;  // binary name, incl. the NUL
inline constexpr int ARGS_MAX = 256;     // NUL-separated argument block

// rs_start flags.
inline constexpr std::uint32_t RSS_SELF = 0x01;        // update: reuse the running binary ("self")
inline constexpr std::uint32_t RSS_HAS_CONF = 0x02;    // `conf` holds the entry (-config FILE)
inline constexpr std::uint32_t RSS_NO_RESTART = 0x04;  // run: never restart

// Forced outcomes of the new version's init (service update -x/-y/-z); RS
// passes them to the new version in RS_INIT (RS_INIT_DEBUG).
inline constexpr int RS_DEBUG_NONE = 0;
inline constexpr int RS_DEBUG_INIT_CRASH = 1;    // -x
inline constexpr int RS_DEBUG_INIT_FAIL = 2;     // -y
inline constexpr int RS_DEBUG_INIT_TIMEOUT = 3;  // -z

struct rs_start {
    std::uint32_t flags;
    char label[PROC_NAME_LEN];  // "" = the binary's base name
    char program[PROGRAM_MAX];
    std::uint32_t args_len;
    char args[ARGS_MAX];
    std::int32_t period;   // heartbeat ticks; -1 = from system.conf
    std::int32_t state;    // update: wanted state
    std::int32_t maxtime;  // update: ticks to reach it (0 = default)
    std::int32_t debug;    // update: RS_DEBUG_*
    conf::ServiceConf conf;
    // Recovery script (-script S, MINIX rss_script): a user program PM spawns
    // when the service fails, instead of RS restarting it; "" = none.
    char script[PROGRAM_MAX];
    // Restart policy (-policy restart|reset): conf::POLICY_*; POLICY_DEFAULT
    // = the system.conf entry's (umklib/service_conf.h).
    std::uint32_t policy;
};

// Service flags as RS_LIST reports them (MINIX rproc r_flags).
inline constexpr std::uint32_t RS_IN_USE = 0x001;
inline constexpr std::uint32_t RS_EXITING = 0x002;
inline constexpr std::uint32_t RS_REFRESHING = 0x004;
inline constexpr std::uint32_t RS_NOPINGREPLY = 0x008;
inline constexpr std::uint32_t RS_TERMINATED = 0x010;
inline constexpr std::uint32_t RS_LATEREPLY = 0x020;
inline constexpr std::uint32_t RS_INITIALIZING = 0x040;
inline constexpr std::uint32_t RS_UPDATING = 0x080;
inline constexpr std::uint32_t RS_ACTIVE = 0x100;
inline constexpr std::uint32_t RS_NO_RESTART = 0x200;  // umk: started by `run`
inline constexpr std::uint32_t RS_CORE = 0x400;        // cannot be taken down
inline constexpr std::uint32_t RS_BOOT = 0x800;        // part of the boot image
inline constexpr std::uint32_t RS_REPLICA =
    0x1000;  // a restart replica (its dead predecessor is kept)
inline constexpr std::uint32_t RS_SCRIPT_RUNNING =
    0x2000;  // dead, its recovery script decides (umk: MINIX has no flag for it)

struct rs_list_entry {
    char label[PROC_NAME_LEN];
    endpoint_t endpoint;
    std::int32_t restarts;
    std::uint32_t flags;
    std::int32_t period;
    std::int32_t host_pid;  // 0 if RS does not know (the proxy fills it in)
    std::uint32_t policy;   // conf::POLICY_RESET or POLICY_RESTART: what RS will do

    char program[48];
};
static_assert(sizeof(rs_list_entry) == 88);

}  // namespace umk::rs
