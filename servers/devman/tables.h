// devman's tables, shared by its handlers (devman.cc) and its state
// transfer (state.cc). Not for other servers or the tests: they see
// devman.h only.
#pragma once

#include "devman.h"

namespace umk::devman {

extern Driver drivers[NR_DRIVERS];
extern File files[NR_FILES];
extern FProc fprocs[NR_FPROCS];
extern Pipe pipes[NR_PIPES];
extern Suspended suspended[NR_SUSPENDED];
extern DevRequest requests[NR_DEV_REQUESTS];
extern endpoint_t self;
extern bool subscribed;
extern std::uint32_t last_id;  // of the last device request sent
extern clock_t_ alarm_at;      // the alarm devman set (absolute tick), 0: none

// Empty tables (what devman_init and a failed restore leave).
void tables_clear();
// Give back what processes that no longer exist hold.
void reap_dead();
// One alarm for the earliest driver deadline.
void arm_alarm();
// (Re)send a device request to its driver with a new grant; false if it
// was finished (an error).
bool send_request(DevRequest& rq);
// Answers for other callers wait here until the state is checkpointed.
void reply_later(endpoint_t who, int result);
void flush_replies();

}  // namespace umk::devman
