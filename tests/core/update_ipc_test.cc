// SYS_UPDATE and IPC: whatever was addressed to the endpoint before the swap
// reaches the new version after it - nothing lost, nothing twice - and the
// queues stay consistent.
#include <set>

#include "update_harness.h"

namespace umk {
namespace {

using namespace test;

// The update as RS does it: OLD waits (for RS only), swap, let the new
// image run; it then starts receiving.
void swap_and_start_new() {
    ASSERT_EQ(update(ep(OLD), ep(NEW)), OK);
    ASSERT_EQ(kc(proc(RS), SYS_PRIVCTL, privctl_msg(ep(OLD), SYS_PRIV_ALLOW)), OK);
    ASSERT_TRUE(proc_is_runnable(proc(OLD)));
    ASSERT_STREQ(proc(OLD).p_name, "svc_new");
}

TEST(UpdateIpc, QueuedSendersReachTheNewVersionInOrder) {
    boot_update();
    ASSERT_EQ(receive(proc(OLD), ep(RS)), BLOCKED);
    ASSERT_EQ(send(proc(CLIENT), ep(OLD), make_msg(61)), BLOCKED);
    ASSERT_EQ(sendrec(proc(CLIENT2), ep(OLD), make_msg(71)), BLOCKED);
    ASSERT_EQ(send(proc(PM), ep(OLD), make_msg(81)), BLOCKED);
    swap_and_start_new();

    Proc& svc = proc(OLD);
    EXPECT_EQ(receive(svc, ANY), OK);
    EXPECT_EQ(last_msg(svc).m_type, 61);
    EXPECT_EQ(last_msg(svc).m_source, ep(CLIENT));
    EXPECT_EQ(result(proc(CLIENT)), OK);
    EXPECT_EQ(receive(svc, ANY), OK);
    EXPECT_EQ(last_msg(svc).m_type, 71);
    EXPECT_EQ(receive(svc, ANY), OK);
    EXPECT_EQ(last_msg(svc).m_type, 81);
    // The new version answers the SENDREC the old one never saw.
    EXPECT_EQ(result(proc(CLIENT2)), BLOCKED);
    EXPECT_EQ(send(svc, ep(CLIENT2), make_msg(72)), OK);
    EXPECT_EQ(result(proc(CLIENT2)), OK);
    EXPECT_EQ(last_msg(proc(CLIENT2)).m_type, 72);
    EXPECT_EQ(last_msg(proc(CLIENT2)).m_source, ep(OLD));
    EXPECT_EQ(receive(svc, ANY), BLOCKED);  // nothing twice
}

TEST(UpdateIpc, OldImageGetsNothingMeantForTheEndpoint) {
    boot_update();
    ASSERT_EQ(receive(proc(OLD), ep(RS)), BLOCKED);
    ASSERT_EQ(send(proc(CLIENT), ep(OLD), make_msg(61)), BLOCKED);
    ASSERT_EQ(update(ep(OLD), ep(NEW)), OK);
    // The old image now sits in slot NEW, still waiting for RS.
    EXPECT_EQ(proc(NEW).p_getfrom_e, ep(RS));
    EXPECT_EQ(proc(NEW).p_caller_q, nullptr);
    EXPECT_EQ(proc(OLD).p_caller_q, &proc(CLIENT));
    EXPECT_EQ(proc(CLIENT).p_q_link, nullptr);
    // RS kills it: nobody blocked on the endpoint is hurt.
    message m{};
    m.PR_ENDPT = ep(NEW);
    EXPECT_EQ(kc(proc(RS), SYS_CLEAR, m), OK);
    EXPECT_EQ(result(proc(CLIENT)), BLOCKED);
    ASSERT_EQ(kc(proc(RS), SYS_PRIVCTL, privctl_msg(ep(OLD), SYS_PRIV_ALLOW)), OK);
    EXPECT_EQ(receive(proc(OLD), ANY), OK);
    EXPECT_EQ(last_msg(proc(OLD)).m_type, 61);
    EXPECT_EQ(result(proc(CLIENT)), OK);
}

TEST(UpdateIpc, PendingNotificationsStay) {
    boot_update();
    ASSERT_EQ(receive(proc(OLD), ep(RS)), BLOCKED);
    ASSERT_EQ(notify(proc(CLIENT), ep(OLD)), OK);
    send_sig(proc(OLD), SIGKMESS);  // a pending signal from SYSTEM
    swap_and_start_new();
    Proc& svc = proc(OLD);
    std::set<endpoint_t> from;
    EXPECT_EQ(receive(svc, ANY), OK);
    from.insert(last_msg(svc).m_source);
    EXPECT_EQ(receive(svc, ANY), OK);
    from.insert(last_msg(svc).m_source);
    EXPECT_EQ(from, (std::set<endpoint_t>{SYSTEM, ep(CLIENT)}));
    EXPECT_EQ(receive(svc, ANY), BLOCKED);
    EXPECT_EQ(delivered_count(proc(NEW)), 0);
}

TEST(UpdateIpc, AsyncMessagesToTheEndpointReachTheNewVersionOnce) {
    boot_update();
    ASSERT_EQ(receive(proc(OLD), ep(RS)), BLOCKED);
    asynmsg_t table[2] = {};
    for (int i = 0; i < 2; ++i) {
        table[i].flags = AMF_VALID;
        table[i].dst = ep(OLD);
        table[i].msg = make_msg(90 + i);
    }
    write_mem(proc(PM), mem_addr(0), table, sizeof table);
    ASSERT_EQ(senda(proc(PM), mem_addr(0), 2), OK);
    ASSERT_TRUE(proc(OLD).p_misc_flags & MF_ASYNMSG);
    ASSERT_EQ(update(ep(OLD), ep(NEW)), OK);
    EXPECT_TRUE(proc(OLD).p_misc_flags & MF_ASYNMSG);   // stays with the endpoint
    EXPECT_FALSE(proc(NEW).p_misc_flags & MF_ASYNMSG);  // not with the old image
    ASSERT_EQ(kc(proc(RS), SYS_PRIVCTL, privctl_msg(ep(OLD), SYS_PRIV_ALLOW)), OK);

    Proc& svc = proc(OLD);
    EXPECT_EQ(receive(svc, ANY), OK);
    EXPECT_EQ(last_msg(svc).m_type, 90);
    EXPECT_EQ(last_msg(svc).m_source, ep(PM));
    EXPECT_EQ(receive(svc, ANY), OK);
    EXPECT_EQ(last_msg(svc).m_type, 91);
    EXPECT_EQ(receive(svc, ANY), BLOCKED);
}

TEST(UpdateIpc, OldVersionsAsyncSendsAreStillDelivered) {
    boot_update();
    // The old version replied asynchronously to CLIENT, who was busy.
    asynmsg_t e{};
    e.flags = AMF_VALID;
    e.dst = ep(CLIENT);
    e.msg = make_msg(55);
    write_mem(proc(OLD), mem_addr(0x40), &e, sizeof e);
    ASSERT_EQ(senda(proc(OLD), mem_addr(0x40), 1), OK);
    ASSERT_EQ(receive(proc(OLD), ep(RS)), BLOCKED);
    swap_and_start_new();

    EXPECT_EQ(receive(proc(CLIENT), ANY), OK);
    EXPECT_EQ(last_msg(proc(CLIENT)).m_type, 55);
    EXPECT_EQ(last_msg(proc(CLIENT)).m_source, ep(OLD));  // from the service's endpoint
    EXPECT_EQ(receive(proc(CLIENT), ANY), BLOCKED);
    // Marked done in the old image's table (it lives in slot NEW now).
    const auto done = read_obj<asynmsg_t>(proc(NEW), mem_addr(0x40));
    EXPECT_TRUE(done.flags & AMF_DONE);
}

TEST(UpdateIpc, ClearingTheOldImageDropsItsSendaTableCleanly) {
    boot_update();
    asynmsg_t e{};
    e.flags = AMF_VALID;
    e.dst = ep(CLIENT);
    e.msg = make_msg(55);
    write_mem(proc(OLD), mem_addr(0x40), &e, sizeof e);
    ASSERT_EQ(senda(proc(OLD), mem_addr(0x40), 1), OK);
    ASSERT_EQ(receive(proc(OLD), ep(RS)), BLOCKED);
    swap_and_start_new();
    ASSERT_EQ(priv_of(OLD).s_asynendpoint, ep(NEW));  // the table is in the old image
    // RS kills the old image before CLIENT got around to receiving: the
    // memory holding the table is gone, so is the table (documented limit).
    message m{};
    m.PR_ENDPT = ep(NEW);
    ASSERT_EQ(kc(proc(RS), SYS_CLEAR, m), OK);
    EXPECT_EQ(priv_of(OLD).s_asynsize, 0u);
    EXPECT_EQ(priv_of(OLD).s_asynendpoint, NONE);
    EXPECT_EQ(receive(proc(CLIENT), ANY), BLOCKED);
    EXPECT_EQ(delivered_count(proc(CLIENT)), 0);
}

TEST(UpdateIpc, BothSidesWithQueuedSenders) {
    boot_update();
    ASSERT_EQ(receive(proc(OLD), ep(RS)), BLOCKED);
    // Senders to both endpoints (NEW is held by RTS_NO_PRIV, so they queue).
    ASSERT_EQ(send(proc(CLIENT), ep(OLD), make_msg(1)), BLOCKED);
    ASSERT_EQ(send(proc(CLIENT2), ep(OLD), make_msg(2)), BLOCKED);
    ASSERT_EQ(send(proc(PM), ep(NEW), make_msg(3)), BLOCKED);
    ASSERT_EQ(update(ep(OLD), ep(NEW)), OK);
    EXPECT_EQ(proc(OLD).p_caller_q, &proc(CLIENT));
    EXPECT_EQ(proc(CLIENT).p_q_link, &proc(CLIENT2));
    EXPECT_EQ(proc(CLIENT2).p_q_link, nullptr);
    EXPECT_EQ(proc(NEW).p_caller_q, &proc(PM));
    EXPECT_EQ(proc(PM).p_q_link, nullptr);

    // Swap back and forth once more: still consistent.
    ASSERT_EQ(update(ep(OLD), ep(NEW)), OK);
    ASSERT_EQ(update(ep(OLD), ep(NEW)), OK);

    // New image in slot OLD gets 1 then 2; old image in slot NEW gets 3.
    ASSERT_EQ(kc(proc(RS), SYS_PRIVCTL, privctl_msg(ep(OLD), SYS_PRIV_ALLOW)), OK);
    EXPECT_EQ(receive(proc(OLD), ANY), OK);
    EXPECT_EQ(last_msg(proc(OLD)).m_type, 1);
    EXPECT_EQ(receive(proc(OLD), ANY), OK);
    EXPECT_EQ(last_msg(proc(OLD)).m_type, 2);
    EXPECT_EQ(receive(proc(OLD), ANY), BLOCKED);
    proc(NEW).p_getfrom_e = ANY;  // the old image stops waiting for RS only
    rts_unset(proc(NEW), RTS_RECEIVING);
    EXPECT_EQ(receive(proc(NEW), ANY), OK);
    EXPECT_EQ(last_msg(proc(NEW)).m_type, 3);
    EXPECT_EQ(last_msg(proc(NEW)).m_source, ep(PM));
    EXPECT_EQ(result(proc(PM)), OK);
}

}  // namespace
}  // namespace umk
