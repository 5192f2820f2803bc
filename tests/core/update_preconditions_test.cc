// SYS_UPDATE: who may be updated, and when.
#include "update_harness.h"

namespace umk {
namespace {

using namespace test;

TEST(UpdatePreconditions, BadEndpointsAreEinval) {
    boot_update();
    ASSERT_EQ(receive(proc(OLD), ep(RS)), BLOCKED);
    EXPECT_EQ(update(make_endpoint(1, OLD), ep(NEW)), -EINVAL);
    EXPECT_EQ(update(ep(OLD), make_endpoint(2, NEW)), -EINVAL);
    EXPECT_EQ(update(ep(OLD), make_endpoint(0, 40)), -EINVAL);  // free slot
    EXPECT_EQ(update(ANY, ep(NEW)), -EINVAL);
    EXPECT_EQ(proc(OLD).p_arch.swapped_calls, 0);
}

TEST(UpdatePreconditions, OnlySystemProcessesAreEperm) {
    boot_update();
    ASSERT_EQ(receive(proc(OLD), ep(RS)), BLOCKED);
    // A user process (shared record).
    Proc& u = proc(CLIENT2);
    Priv* own = u.p_priv;
    u.p_priv = user_priv();
    u.p_getfrom_e = ANY;  // as if receiving (the user record has no RECEIVE trap)
    rts_set(u, RTS_RECEIVING);
    EXPECT_EQ(update(ep(OLD), ep(CLIENT2)), -EPERM);
    EXPECT_EQ(update(ep(CLIENT2), ep(OLD)), -EPERM);
    u.p_priv = own;
    // Own record without SYS_PROC.
    priv_of(NEW).s_flags &= ~SYS_PROC;
    EXPECT_EQ(update(ep(OLD), ep(NEW)), -EPERM);
    priv_of(NEW).s_flags |= SYS_PROC;
    // Kernel tasks.
    EXPECT_EQ(update(CLOCK, ep(NEW)), -EPERM);
    EXPECT_EQ(update(ep(OLD), SYSTEM), -EPERM);
    // No privileges at all (spawned, never set up).
    Proc* bare = proc_alloc_slot();
    ASSERT_NE(bare, nullptr);
    EXPECT_EQ(update(ep(OLD), bare->p_endpoint), -EPERM);
}

TEST(UpdatePreconditions, RunningProcessIsEbusy) {
    boot_update();
    EXPECT_EQ(proc(OLD).p_rts_flags, 0u);
    EXPECT_EQ(update(ep(OLD), ep(NEW)), -EBUSY);
    EXPECT_EQ(update(ep(NEW), ep(OLD)), -EBUSY);
    // Stopped is not a safe point either (it may be anywhere).
    rts_set(proc(OLD), RTS_PROC_STOP);
    EXPECT_EQ(update(ep(OLD), ep(NEW)), -EBUSY);
}

TEST(UpdatePreconditions, ReceivingOrHeldIsOk) {
    boot_update();
    ASSERT_EQ(receive(proc(OLD), ANY), BLOCKED);
    EXPECT_EQ(update(ep(OLD), ep(NEW)), OK);  // receiving + RTS_NO_PRIV
    EXPECT_EQ(update(ep(OLD), ep(NEW)), OK);  // and back
    // RTS_SIG_PENDING (held for its manager) is a safe point too.
    boot_update();
    cause_sig(proc(OLD), SIGTERM);
    EXPECT_EQ(update(ep(NEW), ep(OLD)), OK);
}

TEST(UpdatePreconditions, SendingIsEbusy) {
    boot_update();
    ASSERT_EQ(send(proc(OLD), ep(CLIENT), make_msg(1)), BLOCKED);
    cause_sig(proc(OLD), SIGTERM);  // MINIX would let this one through
    EXPECT_EQ(update(ep(OLD), ep(NEW)), -EBUSY);
    EXPECT_EQ(update(ep(NEW), ep(OLD)), -EBUSY);
    EXPECT_EQ(proc(CLIENT).p_caller_q, &proc(OLD));  // untouched
}

TEST(UpdatePreconditions, SendHalfOfSendrecIsEbusyReceiveHalfIsSafe) {
    boot_update();
    // Send half: CLIENT is not receiving.
    ASSERT_EQ(sendrec(proc(OLD), ep(CLIENT), make_msg(1)), BLOCKED);
    EXPECT_EQ(update(ep(OLD), ep(NEW)), -EBUSY);
    // Receive half: the request was taken, the reply is awaited. This is
    // where a service that told RS "ready for the update" waits (MINIX lets
    // it through: receiving and not sending).
    ASSERT_EQ(receive(proc(CLIENT), ANY), OK);
    ASSERT_TRUE(proc(OLD).p_rts_flags & RTS_RECEIVING);
    ASSERT_TRUE(proc(OLD).p_misc_flags & MF_REPLY_PEND);
    EXPECT_EQ(update(ep(OLD), ep(NEW)), OK);
    // The waiting image now sits in NEW's slot; the new image in OLD's slot
    // is not waiting for CLIENT, so a reply cannot reach the wrong image.
    EXPECT_TRUE(proc(NEW).p_misc_flags & MF_REPLY_PEND);
    EXPECT_FALSE(proc(OLD).p_misc_flags & MF_REPLY_PEND);
    // Rollback: swap back, and the reply reaches the image that asked.
    EXPECT_EQ(update(ep(OLD), ep(NEW)), OK);
    ASSERT_EQ(send(proc(CLIENT), ep(OLD), make_msg(2)), OK);
    EXPECT_EQ(last_msg(proc(OLD)).m_type, 2);
}

TEST(UpdatePreconditions, UndeliveredMessageIsEbusy) {
    boot_update();
    ASSERT_EQ(receive(proc(OLD), ANY), BLOCKED);
    rts_set(proc(OLD), RTS_SIG_PENDING);  // held, so the message is not copied out
    ASSERT_EQ(send(proc(CLIENT), ep(OLD), make_msg(9)), OK);
    ASSERT_TRUE(proc(OLD).p_misc_flags & MF_DELIVERMSG);
    EXPECT_EQ(update(ep(OLD), ep(NEW)), -EBUSY);
}

TEST(UpdatePreconditions, RollbackAbortsThePendingSendOfTheSource) {
    boot_update();
    // NEW got to run and is stuck sending to CLIENT, then its manager holds it.
    ASSERT_EQ(kc(proc(RS), SYS_PRIVCTL, privctl_msg(ep(NEW), SYS_PRIV_ALLOW)), OK);
    ASSERT_EQ(send(proc(NEW), ep(CLIENT), make_msg(1)), BLOCKED);
    cause_sig(proc(NEW), SIGTERM);
    ASSERT_EQ(receive(proc(OLD), ep(RS)), BLOCKED);
    EXPECT_EQ(update(ep(NEW), ep(OLD)), -EBUSY);
    EXPECT_EQ(update(ep(OLD), ep(NEW), SYS_UPD_ROLLBACK), -EBUSY);  // only the source's send
    EXPECT_EQ(update(ep(NEW), ep(OLD), SYS_UPD_ROLLBACK), OK);
    EXPECT_EQ(proc(CLIENT).p_caller_q, nullptr);
    // CLIENT receives nothing from the aborted send.
    EXPECT_EQ(receive(proc(CLIENT), ANY), BLOCKED);
}

TEST(UpdatePreconditions, SameProcessTwiceChangesNothing) {
    boot_update();
    ASSERT_EQ(receive(proc(OLD), ANY), BLOCKED);
    EXPECT_EQ(update(ep(OLD), ep(OLD)), OK);
    EXPECT_EQ(proc(OLD).p_arch.swapped_calls, 0);
    EXPECT_STREQ(proc(OLD).p_name, "svc");
}

TEST(UpdatePreconditions, CallerNeedsTheCall) {
    boot_update();
    ASSERT_EQ(receive(proc(OLD), ANY), BLOCKED);
    priv_of(RS).s_k_call_mask.reset(SYS_UPDATE - KERNEL_CALL);
    EXPECT_EQ(update(ep(OLD), ep(NEW)), -ECALLDENIED);
}

}  // namespace
}  // namespace umk
