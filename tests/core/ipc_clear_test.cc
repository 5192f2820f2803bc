// ipc_clear_proc: nobody stays blocked on a process that goes away, and it
// leaves no trace in queues, notification bits or SENDA tables.
#include "harness.h"

namespace umk {
namespace {

using namespace test;

class IpcClear : public ::testing::Test {
  protected:
    void SetUp() override { boot_sys(5); }

    void kill(proc_nr_t slot) {
        ipc_clear_proc(proc(slot));
        proc_free_slot(proc(slot));
    }
};

TEST_F(IpcClear, SendersFailWithEdstdied) {
    EXPECT_EQ(send(proc(1), ep(0), make_msg(1)), BLOCKED);
    EXPECT_EQ(send(proc(2), ep(0), make_msg(2)), BLOCKED);
    kill(0);
    EXPECT_EQ(result(proc(1)), -EDSTDIED);
    EXPECT_EQ(result(proc(2)), -EDSTDIED);
    EXPECT_TRUE(proc_is_runnable(proc(1)));
    EXPECT_TRUE(proc_is_runnable(proc(2)));
    EXPECT_EQ(proc(1).p_q_link, nullptr);
}

TEST_F(IpcClear, ReceiversFromItFailWithEsrcdied) {
    EXPECT_EQ(receive(proc(1), ep(0)), BLOCKED);
    EXPECT_EQ(receive(proc(2), ANY), BLOCKED);
    kill(0);
    EXPECT_EQ(result(proc(1)), -ESRCDIED);
    EXPECT_TRUE(proc_is_runnable(proc(1)));
    EXPECT_EQ(result(proc(2)), BLOCKED);  // was not waiting for 0 in particular
}

TEST_F(IpcClear, SendrecInEitherHalf) {
    // 1 and 3: request taken, waiting for the reply. 2: request still queued.
    EXPECT_EQ(sendrec(proc(1), ep(0), make_msg(1)), BLOCKED);
    EXPECT_EQ(receive(proc(0), ep(1)), OK);
    EXPECT_EQ(sendrec(proc(2), ep(0), make_msg(2)), BLOCKED);
    EXPECT_EQ(sendrec(proc(3), ep(0), make_msg(3)), BLOCKED);
    EXPECT_EQ(receive(proc(0), ep(3)), OK);
    kill(0);
    EXPECT_EQ(result(proc(1)), -ESRCDIED);  // its request was taken
    EXPECT_EQ(result(proc(2)), -EDSTDIED);  // its request was still queued
    EXPECT_EQ(result(proc(3)), -ESRCDIED);
    for (proc_nr_t s : {1, 2, 3}) {
        EXPECT_TRUE(proc_is_runnable(proc(s))) << s;
        EXPECT_EQ(proc(s).p_misc_flags & MF_REPLY_PEND, 0u) << s;
    }
}

TEST_F(IpcClear, LeavesTheQueueItIsIn) {
    EXPECT_EQ(send(proc(1), ep(0), make_msg(1)), BLOCKED);
    EXPECT_EQ(send(proc(2), ep(0), make_msg(2)), BLOCKED);
    EXPECT_EQ(send(proc(3), ep(0), make_msg(3)), BLOCKED);
    kill(2);
    EXPECT_EQ(receive(proc(0), ANY), OK);
    EXPECT_EQ(last_msg(proc(0)).m_type, 1);
    EXPECT_EQ(receive(proc(0), ANY), OK);
    EXPECT_EQ(last_msg(proc(0)).m_type, 3);
    EXPECT_EQ(receive(proc(0), ANY), BLOCKED);
}

TEST_F(IpcClear, DropsItsNotifications) {
    EXPECT_EQ(notify(proc(1), ep(0)), OK);
    EXPECT_EQ(notify(proc(1), ep(2)), OK);
    EXPECT_EQ(notify(proc(3), ep(0)), OK);
    kill(1);
    EXPECT_FALSE(priv_of(2).s_notify_pending.any());
    EXPECT_EQ(receive(proc(0), ANY), OK);
    EXPECT_EQ(last_msg(proc(0)).m_source, ep(3));
    EXPECT_EQ(receive(proc(0), ANY), BLOCKED);
}

TEST_F(IpcClear, ForgetsItsSendaTable) {
    asynmsg_t e{};
    e.flags = AMF_VALID;
    e.dst = ep(1);
    e.msg = make_msg(9);
    write_mem(proc(0), mem_addr(0), &e, sizeof e);
    EXPECT_EQ(senda(proc(0), mem_addr(0), 1), OK);
    ipc_clear_proc(proc(0));
    EXPECT_EQ(priv_of(0).s_asynsize, 0u);
    proc_free_slot(proc(0));
    EXPECT_EQ(receive(proc(1), ANY), BLOCKED);
    EXPECT_EQ(delivered_count(proc(1)), 0);
}

TEST_F(IpcClear, ItsOwnBlockedTrapAndNewcomers) {
    EXPECT_EQ(send(proc(0), ep(1), make_msg(1)), BLOCKED);
    const endpoint_t old_ep = ep(0);
    ipc_clear_proc(proc(0));
    EXPECT_EQ(proc(1).p_caller_q, nullptr);
    EXPECT_FALSE(proc_is_runnable(proc(0)));  // never runs again
    // While it is being cleared it is unreachable.
    EXPECT_EQ(send(proc(2), old_ep, make_msg(2)), -EDEADSRCDST);
    EXPECT_EQ(notify(proc(2), old_ep), -EDEADSRCDST);
    EXPECT_EQ(receive(proc(2), old_ep), -EDEADSRCDST);
    proc_free_slot(proc(0));
    EXPECT_EQ(send(proc(2), old_ep, make_msg(2)), -EDEADSRCDST);
}

TEST_F(IpcClear, DelayedStopEndsWhenTheSendEnds) {
    EXPECT_EQ(send(proc(1), ep(0), make_msg(1)), BLOCKED);
    proc(1).p_misc_flags |= MF_SIG_DELAY;
    EXPECT_EQ(receive(proc(0), ANY), OK);  // delivered: the delayed stop may happen
    EXPECT_EQ(proc(1).p_misc_flags & MF_SIG_DELAY, 0u);

    EXPECT_EQ(send(proc(2), ep(3), make_msg(1)), BLOCKED);
    proc(2).p_misc_flags |= MF_SIG_DELAY;
    kill(3);  // the send fails: the same
    EXPECT_EQ(proc(2).p_misc_flags & MF_SIG_DELAY, 0u);
    EXPECT_EQ(proc(2).p_arch.last_retval, -EDSTDIED);
}

TEST_F(IpcClear, Idempotent) {
    EXPECT_EQ(send(proc(1), ep(0), make_msg(1)), BLOCKED);
    ipc_clear_proc(proc(0));
    ipc_clear_proc(proc(0));
    proc_free_slot(proc(0));
    ipc_clear_proc(proc(0));
    EXPECT_EQ(result(proc(1)), -EDSTDIED);
}

}  // namespace
}  // namespace umk
