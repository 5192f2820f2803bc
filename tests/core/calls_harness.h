// Helpers for the kernel-call, signal, clock and update tests (on top of
// fake/harness.h): make a kernel call and get its result, boot a small
// system with signal managers, read notifications.
#pragma once

#include "fake/harness.h"
#include "umk/com.h"
#include "umk/priv_args.h"
#include "umk/sig.h"

namespace umk::test {

inline constexpr int NO_REPLY = -2000000;  // the call completed without a reply message

// Make kernel call `call` with request fields from `m`; the call's result
// (reply m_type), BLOCKED if the caller is now held, or NO_REPLY.
inline int kc(Proc& p, int call, message m = {}, message* reply = nullptr) {
    m.m_type = call;
    const int before = p.p_arch.delivered;
    message r{};
    const int trap = kcall(p, m, &r);
    if (trap == BLOCKED) return BLOCKED;
    if (p.p_arch.delivered == before) return NO_REPLY;
    EXPECT_EQ(r.m_source, SYSTEM);
    if (reply) *reply = r;
    return r.m_type;
}

// ---- A small system with signal managers ----
// slot 0 "pm": managed by rs, all privileges (PM_PROC_NR: the kernel
//        finds the user processes' manager by this slot)
// slot 1 "vfs": managed by rs, all privileges (VFS_PROC_NR: only this
//        slot may make magic grants)
// slot 2 "rs": its own manager, all privileges (RS_PROC_NR)
// slot 3 "svc": a system process managed by rs
// slot 4 "svc2": another one
// slot 11 "user": a user process (shared user record, manager pm), runnable
inline constexpr proc_nr_t PM = PM_PROC_NR, VFS = VFS_PROC_NR, RS = RS_PROC_NR, SVC = 3, SVC2 = 4,
                           USER = 11;

inline void boot_managed() {
    boot({{PM, "pm", true, sys_priv(RS)},
          {VFS, "vfs", true, sys_priv(RS)},
          {RS, "rs", true, sys_priv(SELF)},
          {SVC, "svc", true, sys_priv(RS)},
          {SVC2, "svc2", true, sys_priv(RS)},
          {USER, "user", false}});
    clock_reset();
    Proc& u = proc(USER);
    u.p_priv = user_priv();
    user_priv()->s_sig_mgr = ep(PM);
    rts_unset(u, RTS_NO_PRIV);
    fake::clear_log();
}

// The notifications p got from kernel task `from` (CLOCK, SYSTEM...).
inline int count_notifies(const Proc& p, endpoint_t from) {
    int n = 0;
    const int first = p.p_arch.delivered > FAKE_MSG_LOG ? p.p_arch.delivered - FAKE_MSG_LOG : 0;
    for (int i = first; i < p.p_arch.delivered; ++i) {
        const message& m = p.p_arch.msgs[i % FAKE_MSG_LOG];
        if (m.m_source == from && m.m_type == notify_from(from)) ++n;
    }
    return n;
}

// Let p collect whatever is pending for it: a RECEIVE from ANY. Returns the
// message it got, or a zero message (and p stays blocked) if nothing was.
inline message receive_now(Proc& p, endpoint_t from = ANY) {
    const int before = p.p_arch.delivered;
    receive(p, from);
    if (p.p_arch.delivered == before) return message{};
    return last_msg(p);
}

// A priv_args for SYS_PRIVCTL SET_SYS, placed in the caller's fake memory.
inline vir_bytes put_args(Proc& caller, const priv_args& a, std::size_t offset = 0) {
    const vir_bytes at = mem_addr(offset);
    write_mem(caller, at, &a, sizeof a);
    return at;
}

inline message privctl_msg(endpoint_t target, int request, vir_bytes arg = 0) {
    message m{};
    m.CTL_ENDPT = target;
    m.CTL_REQUEST = request;
    m.CTL_ARG_PTR = arg;
    return m;
}

}  // namespace umk::test
