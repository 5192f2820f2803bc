// RS and its guardian (servers/guard): the guard is RS's signal manager and
// starts a new RS when RS dies; RS is the guard's signal manager and
// restarts it like any service. Neither ever blocks on the other: every
// message between them is asynchronous (asynsend, notify).
//
//   guard -> RS   GUARD_HELLO    "tell me what I need to restart you": after
//                                the guard's own init (boot, or a restart).
//   RS -> guard   GUARD_RS_UP    RS's checkpoint grant and its privileges;
//                                sent in answer to GUARD_HELLO, and by a new
//                                RS as the answer to the guard's RS_INIT
//                                (type RESTART), with the init's result.
//   guard -> RS   GUARD_SIGNAL   a termination signal for a process the guard
//                                manages but does not know: the new RS of
//                                RS's own live update, which runs with the
//                                guard as signal manager so that it is still
//                                the guard's after the swap. The process
//                                stays held; RS handles it as its own signal.
//   guard -> RS   RS_INIT        type SEF_INIT_RESTART, RS_INIT_PREV_ENDPT =
//                                where the dead RS's image now waits,
//                                RS_INIT_PREV_GRANT = its checkpoint grant
//                                (GRANT_INVALID if unknown).
#pragma once

#include "umk/com.h"

namespace umk {

inline constexpr int GUARD_RQ_BASE = 0xF00;
inline constexpr int GUARD_HELLO = GUARD_RQ_BASE + 1;
inline constexpr int GUARD_RS_UP = GUARD_RQ_BASE + 2;
inline constexpr int GUARD_SIGNAL = GUARD_RQ_BASE + 3;

// GUARD_RS_UP fields.
#define GUARD_RESULT m1_i1       // OK, or why the new RS's init failed
#define GUARD_STATE_GRANT m1_i2  // RS's checkpoint area, granted to RS_PROC_NR
#define GUARD_PRIV_GRANT m1_i3   // a priv_args with RS's privileges, granted to the guard
#define GUARD_PRIV_LEN m1_i4     // sizeof(priv_args)
// GUARD_SIGNAL fields.
#define GUARD_SIG_ENDPT m1_i1  // the process
#define GUARD_SIG_MAP m1_l1    // its signals (sigset_t_)

}  // namespace umk
