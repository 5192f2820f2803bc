// SYS_UPDATE with SYS_UPD_RESTART: crash recovery under the `restart` policy.
// A replica takes over the endpoint of a dead image: senders still queued
// reach the replica, callers whose request the dead image had received get
// ERESTART (the replica never saw it), and a live image is never "restarted".
#include "update_harness.h"

namespace umk {
namespace {

using namespace test;

// OLD dies the way a crash reaches the kernel: a kernel signal its manager
// (RS) holds it for, without ENDKSIG.
void kill_old() {
    message m{};
    m.SIG_ENDPT = ep(OLD);
    m.SIG_NUMBER = SIGKILL;
    ASSERT_EQ(kc(proc(RS), SYS_KILL, m), OK);
    ASSERT_TRUE(proc(OLD).p_rts_flags & RTS_SIG_PENDING);
}

TEST(UpdateRestart, ReplicaGetsQueuedSendersAndOwedRepliesFailWithErestart) {
    boot_update();
    // OLD received CLIENT's SENDREC and owes the reply when it dies; CLIENT2's
    // request is still queued.
    ASSERT_EQ(receive(proc(OLD), ANY), BLOCKED);
    ASSERT_EQ(sendrec(proc(CLIENT), ep(OLD), make_msg(61)), BLOCKED);
    ASSERT_EQ(result(proc(OLD)), OK);
    ASSERT_EQ(result(proc(CLIENT)), BLOCKED);
    kill_old();
    ASSERT_EQ(sendrec(proc(CLIENT2), ep(OLD), make_msg(71)), BLOCKED);
    const endpoint_t old_ep = ep(OLD);

    ASSERT_EQ(update(ep(OLD), ep(NEW), SYS_UPD_RESTART), OK);
    EXPECT_EQ(result(proc(CLIENT)), -ERESTART);
    EXPECT_EQ(result(proc(CLIENT2)), BLOCKED);

    ASSERT_EQ(kc(proc(RS), SYS_PRIVCTL, privctl_msg(old_ep, SYS_PRIV_ALLOW)), OK);
    Proc& replica = proc(OLD);
    ASSERT_STREQ(replica.p_name, "svc_new");
    EXPECT_EQ(receive(replica, ANY), OK);
    EXPECT_EQ(last_msg(replica).m_type, 71);
    EXPECT_EQ(send(replica, ep(CLIENT2), make_msg(72)), OK);
    EXPECT_EQ(result(proc(CLIENT2)), OK);
    EXPECT_EQ(last_msg(proc(CLIENT2)).m_source, old_ep);
    EXPECT_EQ(receive(replica, ANY), BLOCKED);  // nothing twice

    // The dead image sits in NEW's slot; clearing it hurts nobody.
    message m{};
    m.PR_ENDPT = ep(NEW);
    EXPECT_EQ(kc(proc(RS), SYS_CLEAR, m), OK);
    EXPECT_EQ(result(proc(CLIENT)), -ERESTART);
}

// The dead image died blocked receiving: a SENDNB (or SENDA, or notify)
// completed its receive, but it never read the message and its sender waits
// for nothing. The replica gets it, once, at its first receive that accepts
// the source; one from a SENDREC sender is not kept (that caller gets
// ERESTART).
TEST(UpdateRestart, AMessageTheDeadImageWasHandedButNeverReadGoesToTheReplica) {
    boot_update();
    ASSERT_EQ(receive(proc(OLD), ANY), BLOCKED);
    kill_old();
    ASSERT_TRUE(proc(OLD).p_rts_flags & RTS_RECEIVING);  // dead, but still a receiver
    ASSERT_EQ(sendnb(proc(CLIENT), ep(OLD), make_msg(81)), OK);
    const endpoint_t old_ep = ep(OLD);
    ASSERT_EQ(update(ep(OLD), ep(NEW), SYS_UPD_RESTART), OK);
    ASSERT_EQ(kc(proc(RS), SYS_PRIVCTL, privctl_msg(old_ep, SYS_PRIV_ALLOW)), OK);
    Proc& replica = proc(OLD);
    EXPECT_EQ(receive(replica, ep(RS)), BLOCKED);  // SEF waits for RS_INIT: not this one
    EXPECT_EQ(send(proc(RS), old_ep, make_msg(1)), OK);
    EXPECT_EQ(last_msg(replica).m_type, 1);
    EXPECT_EQ(receive(replica, ANY), OK);
    EXPECT_EQ(last_msg(replica).m_type, 81);
    EXPECT_EQ(last_msg(replica).m_source, ep(CLIENT));
    EXPECT_EQ(receive(replica, ANY), BLOCKED);  // once
    // Clearing the dead image (now in NEW's slot) changes nothing for it.
    message m{};
    m.PR_ENDPT = ep(NEW);
    EXPECT_EQ(kc(proc(RS), SYS_CLEAR, m), OK);
}

TEST(UpdateRestart, ASendrecTheDeadImageReceivedIsNotReplayed) {
    boot_update();
    ASSERT_EQ(receive(proc(OLD), ANY), BLOCKED);
    ASSERT_EQ(sendrec(proc(CLIENT), ep(OLD), make_msg(91)), BLOCKED);
    kill_old();
    const endpoint_t old_ep = ep(OLD);
    ASSERT_EQ(update(ep(OLD), ep(NEW), SYS_UPD_RESTART), OK);
    EXPECT_EQ(result(proc(CLIENT)), -ERESTART);
    ASSERT_EQ(kc(proc(RS), SYS_PRIVCTL, privctl_msg(old_ep, SYS_PRIV_ALLOW)), OK);
    EXPECT_EQ(receive(proc(OLD), ANY), BLOCKED);
}

TEST(UpdateRestart, PlainReceiversOfTheEndpointKeepWaiting) {
    boot_update();
    ASSERT_EQ(receive(proc(CLIENT), ep(OLD)), BLOCKED);  // e.g. waits for a notification
    kill_old();
    ASSERT_EQ(update(ep(OLD), ep(NEW), SYS_UPD_RESTART), OK);
    EXPECT_EQ(result(proc(CLIENT)), BLOCKED);
}

TEST(UpdateRestart, ALiveImageIsNotRestarted) {
    boot_update();
    ASSERT_EQ(receive(proc(OLD), ANY), BLOCKED);
    EXPECT_EQ(update(ep(OLD), ep(NEW), SYS_UPD_RESTART), -EBUSY);
    EXPECT_STREQ(proc(OLD).p_name, "svc");
}

TEST(UpdateRestart, UnknownFlagsAreRefused) {
    boot_update();
    kill_old();
    EXPECT_EQ(update(ep(OLD), ep(NEW), 0x80), -EINVAL);
    EXPECT_STREQ(proc(OLD).p_name, "svc");
}

TEST(UpdateRestart, ADeadImageBlockedSendingIsTakenOutOfTheQueue) {
    boot_update();
    ASSERT_EQ(send(proc(OLD), ep(CLIENT), make_msg(5)), BLOCKED);
    kill_old();
    ASSERT_EQ(update(ep(OLD), ep(NEW), SYS_UPD_RESTART), OK);
    EXPECT_EQ(proc(CLIENT).p_caller_q, nullptr);
    EXPECT_EQ(receive(proc(CLIENT), ANY), BLOCKED);
}

}  // namespace
}  // namespace umk
