// Shared between PM's files (not an interface).
#pragma once

#include "pm.h"

namespace umk::pm {

extern endpoint_t pm_self;
extern endpoint_t rs_endpoint;
extern MProc mproc[NR_MPROCS];
extern Waiter waiters[NR_WAITERS];
extern int next_pid;
extern bool dirty;  // the state changed since the last checkpoint

MProc* live_user(endpoint_t ep);
// The process is gone: clear its slot in the kernel, make it a zombie for
// its parent's wait (or reap it), orphan its children.
void exit_proc(MProc& p, int status);
// devman closes the files the process left open.
void exit_files(endpoint_t ep);

}  // namespace umk::pm
