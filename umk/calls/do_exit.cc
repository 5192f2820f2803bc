// SYS_EXIT: a system process ends itself (MINIX kernel/system/do_exit.c).
//   reads:  nothing
//   reply:  none (EDONTREPLY)
// The caller gets SIGABRT through cause_sig, so its signal manager (RS for a
// system process) learns of the exit exactly as of a crash and cleans up.
#include "calls.h"
#include "umk/sig.h"

namespace umk {

int do_exit(Proc& caller, message&) {
    cause_sig(caller, SIGABRT);
    return -EDONTREPLY;
}

}  // namespace umk
