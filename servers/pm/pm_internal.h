// Shared between PM's files (not an interface).
#pragma once

#include "pm.h"

namespace umk::pm {

extern endpoint_t pm_self;
extern endpoint_t rs_endpoint;

MProc* live_user(endpoint_t ep);
// The process is gone: clear its slot in the kernel, make it a zombie for
// its parent's wait (or reap it), orphan its children.
void exit_proc(MProc& p, int status);

}  // namespace umk::pm
