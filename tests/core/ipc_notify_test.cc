// NOTIFY and notifications from the kernel: now or pending, coalescing,
// order, arguments, and MF_REPLY_PEND.
// umk/sig.h before anything that pulls in the host's <signal.h> (NSIG).
#include "umk/sig.h"

#include "harness.h"

namespace umk {
namespace {

using namespace test;

class IpcNotify : public ::testing::Test {
  protected:
    void SetUp() override { boot_sys(5); }
};

TEST_F(IpcNotify, DeliveredAtOnceToAWaitingReceiver) {
    for (int i = 0; i < 3; ++i) clock_tick();
    EXPECT_EQ(receive(proc(0), ANY), BLOCKED);
    EXPECT_EQ(notify(proc(2), ep(0)), OK);
    EXPECT_EQ(result(proc(0)), OK);
    const message m = last_msg(proc(0));
    EXPECT_EQ(m.m_source, ep(2));
    EXPECT_EQ(m.m_type, notify_from(2));
    EXPECT_TRUE(is_notify(m.m_type));
    EXPECT_EQ(m.NOTIFY_TIMESTAMP, static_cast<std::int64_t>(uptime()));
    EXPECT_GT(uptime(), 0u);
    EXPECT_FALSE(priv_of(0).s_notify_pending.any());
}

TEST_F(IpcNotify, PendingUntilTheNextReceive) {
    EXPECT_EQ(notify(proc(2), ep(0)), OK);
    EXPECT_TRUE(priv_of(0).s_notify_pending.test(priv_of(2).s_id));
    EXPECT_EQ(delivered_count(proc(0)), 0);
    clock_tick();
    EXPECT_EQ(receive(proc(0), ANY), OK);
    EXPECT_EQ(last_msg(proc(0)).m_type, notify_from(2));
    EXPECT_EQ(last_msg(proc(0)).m_source, ep(2));
    // The timestamp is taken at delivery.
    EXPECT_EQ(last_msg(proc(0)).NOTIFY_TIMESTAMP, static_cast<std::int64_t>(uptime()));
    EXPECT_FALSE(priv_of(0).s_notify_pending.any());
}

TEST_F(IpcNotify, RepeatsCoalesce) {
    for (int i = 0; i < 5; ++i) EXPECT_EQ(notify(proc(2), ep(0)), OK);
    EXPECT_EQ(receive(proc(0), ANY), OK);
    EXPECT_EQ(last_msg(proc(0)).m_type, notify_from(2));
    EXPECT_EQ(receive(proc(0), ANY), BLOCKED);
    EXPECT_EQ(delivered_count(proc(0)), 1);
}

TEST_F(IpcNotify, LowestPrivilegeIdFirst) {
    for (proc_nr_t s : {4, 1, 3}) EXPECT_EQ(notify(proc(s), ep(0)), OK);
    for (proc_nr_t s : {1, 3, 4}) {
        EXPECT_EQ(receive(proc(0), ANY), OK);
        EXPECT_EQ(last_msg(proc(0)).m_source, ep(s));
    }
}

TEST_F(IpcNotify, NotificationsBeforeQueuedMessages) {
    EXPECT_EQ(send(proc(1), ep(0), make_msg(77)), BLOCKED);
    EXPECT_EQ(notify(proc(2), ep(0)), OK);
    EXPECT_EQ(receive(proc(0), ANY), OK);
    EXPECT_EQ(last_msg(proc(0)).m_type, notify_from(2));
    EXPECT_EQ(receive(proc(0), ANY), OK);
    EXPECT_EQ(last_msg(proc(0)).m_type, 77);
}

TEST_F(IpcNotify, ReceiveFromASpecificSource) {
    EXPECT_EQ(notify(proc(1), ep(0)), OK);
    EXPECT_EQ(receive(proc(0), ep(2)), BLOCKED);  // not from 1
    EXPECT_EQ(notify(proc(3), ep(0)), OK);        // not from 3 either: pending
    EXPECT_EQ(result(proc(0)), BLOCKED);
    EXPECT_EQ(notify(proc(2), ep(0)), OK);
    EXPECT_EQ(result(proc(0)), OK);
    EXPECT_EQ(last_msg(proc(0)).m_source, ep(2));
    EXPECT_EQ(receive(proc(0), ep(3)), OK);
    EXPECT_EQ(last_msg(proc(0)).m_source, ep(3));
    EXPECT_EQ(receive(proc(0), ANY), OK);
    EXPECT_EQ(last_msg(proc(0)).m_source, ep(1));
}

TEST_F(IpcNotify, FromHardwareCarriesInterruptBits) {
    priv_of(0).s_int_pending = 0x5;
    notify_from_kernel(HARDWARE, proc(0));
    priv_of(0).s_int_pending |= 0x8;  // more interrupts before the receive
    EXPECT_EQ(receive(proc(0), ANY), OK);
    const message m = last_msg(proc(0));
    EXPECT_EQ(m.m_source, HARDWARE);
    EXPECT_EQ(m.m_type, notify_from(HARDWARE));
    EXPECT_EQ(m.m_type, 0x1003);
    EXPECT_EQ(m.NOTIFY_ARG, 0xd);
    EXPECT_EQ(priv_of(0).s_int_pending, 0u);
}

TEST_F(IpcNotify, FromSystemCarriesPendingSignals) {
    EXPECT_EQ(receive(proc(0), ANY), BLOCKED);
    priv_of(0).s_sig_pending = sig_bit(SIGTERM) | sig_bit(SIGKSIG);
    notify_from_kernel(SYSTEM, proc(0));
    EXPECT_EQ(result(proc(0)), OK);
    const message m = last_msg(proc(0));
    EXPECT_EQ(m.m_source, SYSTEM);
    EXPECT_EQ(m.m_type, notify_from(SYSTEM));
    EXPECT_EQ(static_cast<sigset_t_>(m.NOTIFY_ARG), sig_bit(SIGTERM) | sig_bit(SIGKSIG));
    EXPECT_EQ(priv_of(0).s_sig_pending, 0u);
}

TEST_F(IpcNotify, FromClockAndReceiveFromClock) {
    EXPECT_EQ(receive(proc(0), CLOCK), BLOCKED);
    notify_from_kernel(SYSTEM, proc(0));  // not what it waits for
    EXPECT_EQ(result(proc(0)), BLOCKED);
    notify_from_kernel(CLOCK, proc(0));
    EXPECT_EQ(result(proc(0)), OK);
    EXPECT_EQ(last_msg(proc(0)).m_type, notify_from(CLOCK));
    EXPECT_EQ(last_msg(proc(0)).NOTIFY_ARG, 0);
}

TEST_F(IpcNotify, ReplyPendingHoldsNotificationsBack) {
    EXPECT_EQ(receive(proc(1), ANY), BLOCKED);
    EXPECT_EQ(sendrec(proc(0), ep(1), make_msg(100)), BLOCKED);
    EXPECT_EQ(notify(proc(2), ep(0)), OK);  // someone else
    EXPECT_EQ(notify(proc(1), ep(0)), OK);  // even the partner: a notification is no reply
    notify_from_kernel(CLOCK, proc(0));
    EXPECT_EQ(result(proc(0)), BLOCKED);
    EXPECT_EQ(delivered_count(proc(0)), 0);
    EXPECT_EQ(send(proc(1), ep(0), make_msg(101)), OK);
    EXPECT_EQ(last_msg(proc(0)).m_type, 101);
    // Then the held notifications, lowest privilege id (CLOCK) first.
    for (proc_nr_t s : {CLOCK, 1, 2}) {
        EXPECT_EQ(receive(proc(0), ANY), OK);
        EXPECT_EQ(last_msg(proc(0)).m_type, notify_from(s));
    }
}

TEST_F(IpcNotify, APendingNotificationIsNoReply) {
    EXPECT_EQ(notify(proc(1), ep(0)), OK);  // pending at 0, from its future partner
    EXPECT_EQ(receive(proc(1), ANY), BLOCKED);
    EXPECT_EQ(sendrec(proc(0), ep(1), make_msg(100)), BLOCKED);
    EXPECT_EQ(delivered_count(proc(0)), 0);
    EXPECT_EQ(send(proc(1), ep(0), make_msg(101)), OK);
    EXPECT_EQ(last_msg(proc(0)).m_type, 101);
    EXPECT_EQ(receive(proc(0), ANY), OK);
    EXPECT_EQ(last_msg(proc(0)).m_type, notify_from(1));
}

TEST_F(IpcNotify, NotifyNeverBlocksTheSender) {
    EXPECT_EQ(send(proc(0), ep(1), make_msg(1)), BLOCKED);  // 0 is busy
    EXPECT_EQ(notify(proc(1), ep(0)), OK);                  // would be a deadlock as a send
    EXPECT_TRUE(proc_is_runnable(proc(1)));
}

TEST_F(IpcNotify, KernelNotificationToProcessWithoutPrivilegesIsDropped) {
    boot({{0, "a"}, {1, "noprivs", false}});
    notify_from_kernel(SYSTEM, proc(1));
    EXPECT_EQ(proc(1).p_rts_flags, RTS_NO_PRIV);
    EXPECT_EQ(delivered_count(proc(1)), 0);
}

}  // namespace
}  // namespace umk
