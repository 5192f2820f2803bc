// The IPC trap's checks (MINIX do_ipc order) and their error codes. Each
// failing check must leave no trace.
#include "harness.h"

namespace umk {
namespace {

using namespace test;

class IpcErrors : public ::testing::Test {
  protected:
    void SetUp() override { boot_sys(3); }

    // Nothing changed by a refused trap: both ends runnable, no queue.
    void expect_untouched(proc_nr_t a, proc_nr_t b) {
        EXPECT_TRUE(proc_is_runnable(proc(a)));
        EXPECT_TRUE(proc_is_runnable(proc(b)));
        EXPECT_EQ(proc(a).p_caller_q, nullptr);
        EXPECT_EQ(proc(b).p_caller_q, nullptr);
        EXPECT_EQ(proc(a).p_misc_flags & MF_REPLY_PEND, 0u);
        EXPECT_FALSE(priv_of(b).s_notify_pending.any());
        EXPECT_EQ(delivered_count(proc(b)), 0);
    }
};

TEST_F(IpcErrors, AnyIsOnlyForReceive) {
    const message m = make_msg(1);
    EXPECT_EQ(send(proc(0), ANY, m), -EINVAL);
    EXPECT_EQ(sendnb(proc(0), ANY, m), -EINVAL);
    EXPECT_EQ(sendrec(proc(0), ANY, m), -EINVAL);
    EXPECT_EQ(notify(proc(0), ANY), -EINVAL);
    EXPECT_EQ(receive(proc(0), ANY), BLOCKED);
}

TEST_F(IpcErrors, DeadOrStaleEndpoint) {
    const message m = make_msg(1);
    EXPECT_EQ(send(proc(0), 5, m), -EDEADSRCDST);                    // free slot
    EXPECT_EQ(send(proc(0), make_endpoint(1, 1), m), -EDEADSRCDST);  // wrong generation
    EXPECT_EQ(notify(proc(0), make_endpoint(3, 2)), -EDEADSRCDST);
    EXPECT_EQ(receive(proc(0), 7), -EDEADSRCDST);
    EXPECT_EQ(sendrec(proc(0), 9, m), -EDEADSRCDST);
    expect_untouched(0, 1);
}

TEST_F(IpcErrors, ImpossibleEndpoint) {
    const message m = make_msg(1);
    EXPECT_EQ(send(proc(0), NONE, m), -EBADSRCDST);
    EXPECT_EQ(send(proc(0), SELF, m), -EBADSRCDST);
    EXPECT_EQ(send(proc(0), NR_PROCS, m), -EBADSRCDST);
    EXPECT_EQ(send(proc(0), -NR_TASKS - 1, m), -EBADSRCDST);
    EXPECT_EQ(receive(proc(0), NONE), -EBADSRCDST);
    EXPECT_EQ(notify(proc(0), -5000), -EBADSRCDST);
}

TEST_F(IpcErrors, TrapNotInMaskOrOutOfRange) {
    priv_of(0).s_trap_mask = 1u << RECEIVE;
    const message m = make_msg(1);
    EXPECT_EQ(send(proc(0), ep(1), m), -ETRAPDENIED);
    EXPECT_EQ(sendrec(proc(0), ep(1), m), -ETRAPDENIED);
    EXPECT_EQ(notify(proc(0), ep(1)), -ETRAPDENIED);
    EXPECT_EQ(senda(proc(0), mem_addr(0), 0), -ETRAPDENIED);
    expect_untouched(0, 1);
    EXPECT_EQ(ipc(proc(1), -1, ep(0), &m), -ETRAPDENIED);
    EXPECT_EQ(ipc(proc(1), NR_IPC_TRAPS, ep(0), &m), -ETRAPDENIED);
    EXPECT_EQ(ipc(proc(1), 1000, ep(0), &m), -ETRAPDENIED);
}

TEST_F(IpcErrors, TargetNotInSendMask) {
    priv_of(0).s_ipc_to.reset(priv_of(1).s_id);
    const message m = make_msg(1);
    EXPECT_EQ(send(proc(0), ep(1), m), -ECALLDENIED);
    EXPECT_EQ(sendnb(proc(0), ep(1), m), -ECALLDENIED);
    EXPECT_EQ(sendrec(proc(0), ep(1), m), -ECALLDENIED);
    EXPECT_EQ(notify(proc(0), ep(1)), -ECALLDENIED);
    expect_untouched(0, 1);
    EXPECT_EQ(send(proc(0), ep(2), m), BLOCKED);  // others still allowed
    // Receiving from anyone needs no permission.
    EXPECT_EQ(receive(proc(1), ep(0)), BLOCKED);
}

TEST_F(IpcErrors, TargetWithoutPrivileges) {
    boot({{0, "a"}, {1, "noprivs", false}});
    EXPECT_EQ(send(proc(0), ep(1), make_msg(1)), -ECALLDENIED);
    EXPECT_EQ(notify(proc(0), ep(1)), -ECALLDENIED);
}

TEST_F(IpcErrors, KernelTasksAreOnlySendrecOrReceiveTargets) {
    const message m = make_msg(1);
    EXPECT_EQ(send(proc(0), CLOCK, m), -ETRAPDENIED);
    EXPECT_EQ(sendnb(proc(0), SYSTEM, m), -ETRAPDENIED);
    EXPECT_EQ(notify(proc(0), SYSTEM), -ETRAPDENIED);
    EXPECT_EQ(notify(proc(0), HARDWARE), -ETRAPDENIED);
    // umk: kernel calls have their own trap, so a SENDREC to a kernel task
    // passes the trap check but cannot be delivered.
    EXPECT_EQ(sendrec(proc(0), SYSTEM, m), -ECALLDENIED);
    EXPECT_EQ(proc(0).p_misc_flags & MF_REPLY_PEND, 0u);
    EXPECT_EQ(proc(SYSTEM).p_caller_q, nullptr);
    // Waiting for a notification from CLOCK is fine.
    EXPECT_EQ(receive(proc(0), CLOCK), BLOCKED);
}

TEST_F(IpcErrors, SendaTooLarge) {
    EXPECT_EQ(senda(proc(0), mem_addr(0), static_cast<std::size_t>(NR_ASYNC_MAX) + 1), -EDOM);
}

TEST_F(IpcErrors, UnknownCall) {
    const message m = make_msg(1);
    EXPECT_EQ(ipc(proc(0), 7, ep(1), &m), -EBADCALL);
    EXPECT_EQ(ipc(proc(0), 31, ep(1), &m), -EBADCALL);
    expect_untouched(0, 1);
}

TEST_F(IpcErrors, ProcessWithoutPrivilegesCannotTrap) {
    boot({{0, "a"}, {1, "noprivs", false}});
    Proc& p = proc(1);
    // It should not run at all; if the arch let it trap anyway, it is refused.
    trap_ipc(p, SEND, ep(0), nullptr, 0, 0);
    EXPECT_EQ(p.p_retval, -ETRAPDENIED);
    trap_ipc(p, RECEIVE, ANY, nullptr, 0, 0);
    EXPECT_EQ(p.p_retval, -ETRAPDENIED);
    EXPECT_EQ(p.p_rts_flags, RTS_NO_PRIV);
}

// Invariants between the core and the arch: a delivered message is copied
// out before the process traps again or receives the next one.
TEST_F(IpcErrors, UncopiedMessageIsAKernelBug) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    proc(0).p_misc_flags |= MF_DELIVERMSG;
    EXPECT_DEATH(trap_ipc(proc(0), RECEIVE, ANY, nullptr, 0, 0), "umk panic: .*MF_DELIVERMSG");
    EXPECT_DEATH(deliver_to(proc(0), make_msg(1)), "umk panic: .*undelivered message");
}

TEST_F(IpcErrors, MinixCheckOrder) {
    const message m = make_msg(1);
    priv_of(0).s_trap_mask = 0;
    // Endpoint checks come before the trap mask (MINIX do_ipc order).
    EXPECT_EQ(send(proc(0), ANY, m), -EINVAL);
    EXPECT_EQ(send(proc(0), 5, m), -EDEADSRCDST);
    priv_of(0).s_ipc_to.reset(priv_of(1).s_id);
    EXPECT_EQ(send(proc(0), ep(1), m), -ECALLDENIED);
    EXPECT_EQ(send(proc(0), ep(2), m), -ETRAPDENIED);
    priv_of(0).s_trap_mask = ~0u;
    EXPECT_EQ(ipc(proc(0), 9, ep(1), &m), -ECALLDENIED);
    EXPECT_EQ(ipc(proc(0), 9, ep(2), &m), -EBADCALL);
}

}  // namespace
}  // namespace umk
