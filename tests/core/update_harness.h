// Shared setup of the sys_update tests: a system with RS, PM, an old
// version OLD of a service and a new version NEW that has its privileges
// but has not run yet (as RS prepares a live update).
#pragma once

#include "calls_harness.h"

namespace umk::test {

inline constexpr proc_nr_t OLD = 4, NEW = 5, CLIENT = 6, CLIENT2 = 7;

inline void boot_update() {
    boot({{RS, "rs", true, sys_priv(SELF)},
          {PM, "pm", true, sys_priv(RS)},
          {OLD, "svc", true, sys_priv(RS)},
          {NEW, "svc_new", false},
          {CLIENT, "client", true, sys_priv(RS)},
          {CLIENT2, "client2", true, sys_priv(RS)}});
    clock_reset();
    ASSERT_EQ(kc(proc(RS), SYS_PRIVCTL, privctl_msg(ep(NEW), SYS_PRIV_SET_SYS)), OK);
    // The boot processes that can send got a send bit for NEW's id when it
    // was set up; the old version is receiving from RS only (its SEF is
    // waiting for the update), so messages for it queue up.
    fake::clear_log();
}

inline int update(endpoint_t src, endpoint_t dst, int flags = 0) {
    message m{};
    m.SYS_UPD_SRC_ENDPT = src;
    m.SYS_UPD_DST_ENDPT = dst;
    m.SYS_UPD_FLAGS = flags;
    return kc(proc(RS), SYS_UPDATE, m);
}

}  // namespace umk::test
