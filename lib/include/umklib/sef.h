// SEF, the System Event Framework (MINIX include/minix/sef.h): init (fresh,
// live update, restart), ping, live-update prepare and state save, signals.
#pragma once

#include "umk/com.h"
#include "umk/err.h"
#include "umk/types.h"

namespace umk {

// Init types (RS_INIT_TYPE).
inline constexpr int SEF_INIT_FRESH = 0;
inline constexpr int SEF_INIT_LU = 1;
inline constexpr int SEF_INIT_RESTART = 2;

// Live-update states.
inline constexpr int SEF_LU_STATE_NULL = 0;
inline constexpr int SEF_LU_STATE_WORK_FREE = 1;
inline constexpr int SEF_LU_STATE_REQUEST_FREE = 2;
inline constexpr int SEF_LU_STATE_PROTOCOL_FREE = 3;
inline constexpr int SEF_LU_STATE_CUSTOM_BASE = 4;

struct sef_init_info_t {
    endpoint_t rs_endpoint;   // who initialized us
    endpoint_t old_endpoint;  // LU: the endpoint of the version being replaced (== ours)
    int restarts;             // RESTART: how often the service was restarted
};

using sef_cb_init_t = int (*)(int type, sef_init_info_t* info);
using sef_cb_ping_reply_t = void (*)(endpoint_t source);
using sef_cb_lu_prepare_t = int (*)(int state);
using sef_cb_lu_state_isvalid_t = int (*)(int state);
using sef_cb_lu_state_changed_t = void (*)(int old_state, int state);
using sef_cb_lu_state_dump_t = void (*)(int state);
using sef_cb_lu_state_save_t = int (*)(int state);
using sef_cb_signal_handler_t = void (*)(int signo);
using sef_cb_signal_manager_t = int (*)(endpoint_t target, int signo);

void sef_setcb_init_fresh(sef_cb_init_t cb);
void sef_setcb_init_lu(sef_cb_init_t cb);
void sef_setcb_init_restart(sef_cb_init_t cb);
void sef_setcb_ping_reply(sef_cb_ping_reply_t cb);
void sef_setcb_lu_prepare(sef_cb_lu_prepare_t cb);
void sef_setcb_lu_state_isvalid(sef_cb_lu_state_isvalid_t cb);
void sef_setcb_lu_state_changed(sef_cb_lu_state_changed_t cb);
void sef_setcb_lu_state_dump(sef_cb_lu_state_dump_t cb);
void sef_setcb_lu_state_save(sef_cb_lu_state_save_t cb);
void sef_setcb_signal_handler(sef_cb_signal_handler_t cb);
void sef_setcb_signal_manager(sef_cb_signal_manager_t cb);

// Wait for RS's init request, run the init callback for its type and report
// the result; returns when RS has accepted it.
void sef_startup();
// RS itself: nobody sends it RS_INIT. Runs the fresh init callback (panics
// if it fails) and makes SEF treat RS's own endpoint as "RS".
void sef_startup_rs();
// RS started by its guardian after a death of RS (umklib/guard_proto.h):
// `init` is the guardian's RS_INIT (type RESTART), naming where the dead
// RS's image waits and its state grant (for sef_state_restore). Runs the
// restart callback and returns its result; RS answers the guardian itself,
// asynchronously (a SENDREC would block RS on the guardian).
int sef_startup_rs_restart(const message& init);
// The endpoint SEF takes for RS (the sender of our RS_INIT), NONE before
// sef_startup.
endpoint_t sef_rs_endpoint();
// Receive the next message for the service; SEF's own traffic (init, ping,
// LU prepare, signals) is handled here and never returned.
int sef_receive(endpoint_t src, message* m);
int sef_receive_status(endpoint_t src, message* m, int* status);
// Exit through the kernel (sys_exit): the signal manager sees SIGABRT.
[[noreturn]] void sef_exit(int status);
// Crash for real (a fault the kernel sees, not an exit): what SEF does on
// `service fi`, for a service that runs its own receive loop.
[[noreturn]] void sef_crash(const char* what);
// Fatal error: log it and exit.
[[noreturn]] void panic(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// Predefined callbacks. Like every system function on umk, callbacks
// return OK or a NEGATED error (-ENOSYS, -ENOTREADY, -EDEADSRCDST ...); SEF
// passes init and prepare results to RS unchanged. Passing nullptr to a
// setter restores the default.
int sef_cb_init_null(int type, sef_init_info_t* info);
int sef_cb_init_fail(int type, sef_init_info_t* info);     // ENOSYS
int sef_cb_init_crash(int type, sef_init_info_t* info);    // panics
int sef_cb_init_timeout(int type, sef_init_info_t* info);  // never returns (hangs)
void sef_cb_ping_reply_pong(endpoint_t source);
void sef_cb_ping_reply_null(endpoint_t source);
int sef_cb_lu_prepare_null(int state);  // ENOTREADY
int sef_cb_lu_prepare_always_ready(int state);
int sef_cb_lu_prepare_never_ready(int state);
int sef_cb_lu_prepare_crash(int state);
int sef_cb_lu_state_isvalid_null(int state);
int sef_cb_lu_state_isvalid_standard(int state);  // 1..3
void sef_cb_lu_state_changed_null(int old_state, int state);
void sef_cb_lu_state_dump_null(int state);
int sef_cb_lu_state_save_null(int state);
void sef_cb_signal_handler_null(int signo);
void sef_cb_signal_handler_term(int signo);  // exit on SIGTERM
void sef_cb_signal_handler_posix_default(int signo);
int sef_cb_signal_manager_null(endpoint_t target, int signo);

}  // namespace umk
