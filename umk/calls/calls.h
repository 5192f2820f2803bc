// The kernel-call handlers, one per file in umk/calls/ (MINIX kernel/system/).
//
// Each handler gets the caller and its own copy of the request (m_source is
// the caller, m_type the call number). It decodes and checks every field
// first and changes nothing when it fails; the reply fields it writes into
// `m` are returned to the caller with m_type = the handler's result (OK or a
// negated MINIX error). -EDONTREPLY means no reply at all.
#pragma once

#include "../arch.h"
#include "../core.h"
#include "../kernel.h"
#include "../proc.h"
#include "umk/err.h"
#include "umk/types.h"

namespace umk {

using KernelCallHandler = int (*)(Proc& caller, message& m);

int do_clear(Proc& caller, message& m);
int do_privctl(Proc& caller, message& m);
int do_kill(Proc& caller, message& m);
int do_getksig(Proc& caller, message& m);
int do_endksig(Proc& caller, message& m);
int do_setalarm(Proc& caller, message& m);
int do_times(Proc& caller, message& m);
int do_getinfo(Proc& caller, message& m);
int do_safecopy(Proc& caller, message& m);  // SYS_SAFECOPYFROM and SYS_SAFECOPYTO
int do_setgrant(Proc& caller, message& m);
int do_diagctl(Proc& caller, message& m);
int do_runctl(Proc& caller, message& m);
int do_update(Proc& caller, message& m);
int do_exit(Proc& caller, message& m);
int do_spawn(Proc& caller, message& m);
int do_vdevio(Proc& caller, message& m);

// A process given by endpoint in a request: SELF means the caller. nullptr
// if the endpoint does not name a live process.
inline Proc* call_target(const Proc& caller, endpoint_t e) {
    return endpoint_lookup(resolve_self(caller, e));
}

}  // namespace umk
