// For the user-process test programs: they may make no kernel calls (so no
// logging); they talk to PM and devman only, and report by exit code.
#pragma once

#include "umk/com.h"
#include "umklib/ipc.h"
#include "umklib/pm_proto.h"

namespace st {

[[noreturn]] inline void user_exit(int code) {
    umk::message m{};
    m.m_type = umk::PM_EXIT;
    m.PM_STATUS = code;
    umk::ipc_sendrec(umk::PM_PROC_NR, &m);  // PM clears us: no answer
    for (;;) {
    }
}

}  // namespace st
