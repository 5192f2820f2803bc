// For the user-process test programs: they may make no kernel calls (so no
// logging); they talk to PM and devman only, and report by exit code.
#pragma once

#include "umk/com.h"
#include "umklib/ipc.h"
#include "umklib/pm_proto.h"

namespace st {

[[noreturn]] inline void user_exit(int code) {
    umk::pm_exit(code);
}

}  // namespace st
