// SEND, RECEIVE, SENDREC, SENDNB: rendezvous, queues, sources, deadlocks.
#include "harness.h"

namespace umk {
namespace {

using namespace test;

class IpcSendRecv : public ::testing::Test {
  protected:
    void SetUp() override { boot_sys(5); }
};

TEST_F(IpcSendRecv, ReceiverFirst) {
    EXPECT_EQ(receive(proc(1), ANY), BLOCKED);
    EXPECT_TRUE(proc(1).p_rts_flags & RTS_RECEIVING);
    message m = make_msg(42, 7, 8);
    m.m3_ca1[39] = 'z';
    EXPECT_EQ(send(proc(0), ep(1), m), OK);
    EXPECT_EQ(result(proc(1)), OK);
    EXPECT_TRUE(proc_is_runnable(proc(1)));
    const message got = last_msg(proc(1));
    EXPECT_EQ(got.m_source, ep(0));
    EXPECT_EQ(got.m_type, 42);
    EXPECT_EQ(got.m1_i1, 7);
    EXPECT_EQ(got.m1_i2, 8);
    EXPECT_EQ(got.m3_ca1[39], 'z');
    EXPECT_EQ(delivered_count(proc(1)), 1);
    EXPECT_EQ(proc(1).p_misc_flags & MF_DELIVERMSG, 0u);  // copied out by the arch
}

TEST_F(IpcSendRecv, SenderFirst) {
    EXPECT_EQ(send(proc(0), ep(1), make_msg(43)), BLOCKED);
    EXPECT_EQ(proc(0).p_rts_flags, RTS_SENDING);
    EXPECT_EQ(proc(1).p_caller_q, &proc(0));
    EXPECT_EQ(proc(0).p_arch.unready_calls, 1);
    EXPECT_EQ(receive(proc(1), ANY), OK);
    EXPECT_EQ(last_msg(proc(1)).m_type, 43);
    EXPECT_EQ(last_msg(proc(1)).m_source, ep(0));
    EXPECT_EQ(result(proc(0)), OK);
    EXPECT_TRUE(proc_is_runnable(proc(0)));
    EXPECT_EQ(proc(1).p_caller_q, nullptr);
}

TEST_F(IpcSendRecv, SourceCannotBeForged) {
    message m = make_msg(1);
    m.m_source = ep(3);
    EXPECT_EQ(receive(proc(1), ANY), BLOCKED);
    EXPECT_EQ(send(proc(0), ep(1), m), OK);
    EXPECT_EQ(last_msg(proc(1)).m_source, ep(0));
    // Also when the message waits in the queue.
    EXPECT_EQ(send(proc(2), ep(1), m), BLOCKED);
    EXPECT_EQ(receive(proc(1), ANY), OK);
    EXPECT_EQ(last_msg(proc(1)).m_source, ep(2));
}

TEST_F(IpcSendRecv, SendrecReply) {
    EXPECT_EQ(receive(proc(1), ANY), BLOCKED);  // the server waits
    EXPECT_EQ(sendrec(proc(0), ep(1), make_msg(100)), BLOCKED);
    EXPECT_EQ(proc(0).p_rts_flags, RTS_RECEIVING);
    EXPECT_TRUE(proc(0).p_misc_flags & MF_REPLY_PEND);
    EXPECT_EQ(result(proc(1)), OK);
    EXPECT_EQ(last_msg(proc(1)).m_type, 100);
    EXPECT_EQ(send(proc(1), ep(0), make_msg(101)), OK);  // the reply
    EXPECT_EQ(result(proc(0)), OK);
    EXPECT_EQ(last_msg(proc(0)).m_type, 101);
    EXPECT_EQ(last_msg(proc(0)).m_source, ep(1));
    EXPECT_EQ(proc(0).p_misc_flags & MF_REPLY_PEND, 0u);
}

TEST_F(IpcSendRecv, SendrecToBusyServer) {
    EXPECT_EQ(sendrec(proc(0), ep(1), make_msg(100)), BLOCKED);
    EXPECT_EQ(proc(0).p_rts_flags, RTS_SENDING | RTS_RECEIVING);
    EXPECT_EQ(receive(proc(1), ANY), OK);  // takes the request
    EXPECT_EQ(last_msg(proc(1)).m_type, 100);
    EXPECT_EQ(proc(0).p_rts_flags, RTS_RECEIVING);  // now waits for the reply
    EXPECT_EQ(result(proc(0)), BLOCKED);
    EXPECT_EQ(send(proc(1), ep(0), make_msg(101)), OK);
    EXPECT_EQ(result(proc(0)), OK);
    EXPECT_EQ(last_msg(proc(0)).m_type, 101);
}

TEST_F(IpcSendRecv, OnlyThePartnerEndsASendrec) {
    EXPECT_EQ(receive(proc(1), ANY), BLOCKED);
    EXPECT_EQ(sendrec(proc(0), ep(1), make_msg(100)), BLOCKED);
    // Someone else sends to the client meanwhile: queued, not delivered.
    EXPECT_EQ(send(proc(2), ep(0), make_msg(200)), BLOCKED);
    EXPECT_EQ(result(proc(0)), BLOCKED);
    EXPECT_EQ(send(proc(1), ep(0), make_msg(101)), OK);
    EXPECT_EQ(last_msg(proc(0)).m_type, 101);
    // The other message comes with the next receive.
    EXPECT_EQ(receive(proc(0), ANY), OK);
    EXPECT_EQ(last_msg(proc(0)).m_type, 200);
    EXPECT_EQ(result(proc(2)), OK);
}

TEST_F(IpcSendRecv, FifoOrderOfThreeSenders) {
    for (proc_nr_t s : {3, 1, 2}) EXPECT_EQ(send(proc(s), ep(0), make_msg(10 + s)), BLOCKED);
    for (int expected : {13, 11, 12}) {
        EXPECT_EQ(receive(proc(0), ANY), OK);
        EXPECT_EQ(last_msg(proc(0)).m_type, expected);
    }
    EXPECT_EQ(receive(proc(0), ANY), BLOCKED);
    for (proc_nr_t s : {1, 2, 3}) EXPECT_EQ(result(proc(s)), OK);
}

TEST_F(IpcSendRecv, ReceiveFromASpecificSourceSkipsOthers) {
    EXPECT_EQ(send(proc(1), ep(0), make_msg(11)), BLOCKED);
    EXPECT_EQ(send(proc(2), ep(0), make_msg(12)), BLOCKED);
    EXPECT_EQ(send(proc(3), ep(0), make_msg(13)), BLOCKED);
    EXPECT_EQ(receive(proc(0), ep(2)), OK);
    EXPECT_EQ(last_msg(proc(0)).m_type, 12);
    EXPECT_EQ(result(proc(1)), BLOCKED);
    EXPECT_EQ(result(proc(2)), OK);
    EXPECT_EQ(receive(proc(0), ANY), OK);
    EXPECT_EQ(last_msg(proc(0)).m_type, 11);
    EXPECT_EQ(receive(proc(0), ANY), OK);
    EXPECT_EQ(last_msg(proc(0)).m_type, 13);
    // A receiver waiting for 4 ignores a sender that is not 4.
    EXPECT_EQ(receive(proc(0), ep(4)), BLOCKED);
    EXPECT_EQ(send(proc(1), ep(0), make_msg(21)), BLOCKED);
    EXPECT_EQ(result(proc(0)), BLOCKED);
    EXPECT_EQ(send(proc(4), ep(0), make_msg(24)), OK);
    EXPECT_EQ(last_msg(proc(0)).m_type, 24);
}

TEST_F(IpcSendRecv, SendnbDoesNotBlock) {
    EXPECT_EQ(sendnb(proc(0), ep(1), make_msg(1)), -ENOTREADY);
    EXPECT_TRUE(proc_is_runnable(proc(0)));
    EXPECT_EQ(proc(1).p_caller_q, nullptr);
    // A receiver waiting for someone else is not ready either.
    EXPECT_EQ(receive(proc(1), ep(2)), BLOCKED);
    EXPECT_EQ(sendnb(proc(0), ep(1), make_msg(1)), -ENOTREADY);
    EXPECT_EQ(send(proc(2), ep(1), make_msg(2)), OK);
    EXPECT_EQ(receive(proc(1), ANY), BLOCKED);
    EXPECT_EQ(sendnb(proc(0), ep(1), make_msg(3)), OK);
    EXPECT_EQ(last_msg(proc(1)).m_type, 3);
}

TEST_F(IpcSendRecv, DeadlockTwoSenders) {
    EXPECT_EQ(send(proc(0), ep(1), make_msg(1)), BLOCKED);
    EXPECT_EQ(send(proc(1), ep(0), make_msg(2)), -ELOCKED);
    EXPECT_TRUE(proc_is_runnable(proc(1)));
    EXPECT_EQ(proc(0).p_caller_q, nullptr);
    // SENDREC the other way round is a send too.
    EXPECT_EQ(sendrec(proc(1), ep(0), make_msg(2)), -ELOCKED);
    EXPECT_EQ(proc(1).p_misc_flags & MF_REPLY_PEND, 0u);
}

TEST_F(IpcSendRecv, DeadlockTwoReceivers) {
    EXPECT_EQ(receive(proc(0), ep(1)), BLOCKED);
    EXPECT_EQ(receive(proc(1), ep(0)), -ELOCKED);
}

TEST_F(IpcSendRecv, SendToReceiverIsNoDeadlock) {
    EXPECT_EQ(receive(proc(0), ep(1)), BLOCKED);
    EXPECT_EQ(send(proc(1), ep(0), make_msg(5)), OK);
    EXPECT_EQ(send(proc(1), ep(0), make_msg(6)), BLOCKED);
    EXPECT_EQ(receive(proc(0), ep(1)), OK);
    EXPECT_EQ(last_msg(proc(0)).m_type, 6);
}

TEST_F(IpcSendRecv, DeadlockThreeCycle) {
    EXPECT_EQ(send(proc(0), ep(1), make_msg(1)), BLOCKED);
    EXPECT_EQ(send(proc(1), ep(2), make_msg(1)), BLOCKED);
    EXPECT_EQ(send(proc(2), ep(0), make_msg(1)), -ELOCKED);
    EXPECT_EQ(receive(proc(2), ep(0)), -ELOCKED);
    EXPECT_EQ(sendrec(proc(2), ep(0), make_msg(1)), -ELOCKED);
    // A receive from ANY never deadlocks, and unblocks the chain.
    EXPECT_EQ(receive(proc(2), ANY), OK);
    EXPECT_EQ(result(proc(1)), OK);
}

TEST_F(IpcSendRecv, DeadlockThroughAReceiver) {
    EXPECT_EQ(receive(proc(0), ep(1)), BLOCKED);
    EXPECT_EQ(send(proc(1), ep(2), make_msg(1)), BLOCKED);
    EXPECT_EQ(send(proc(2), ep(0), make_msg(1)), -ELOCKED);
    // Not part of the cycle: fine.
    EXPECT_EQ(send(proc(3), ep(0), make_msg(1)), BLOCKED);
}

TEST_F(IpcSendRecv, WaitingForOneselfIsADeadlock) {
    EXPECT_EQ(send(proc(0), ep(0), make_msg(1)), -ELOCKED);
    EXPECT_EQ(sendrec(proc(0), ep(0), make_msg(1)), -ELOCKED);
    EXPECT_EQ(receive(proc(0), ep(0)), -ELOCKED);
    EXPECT_EQ(proc(0).p_caller_q, nullptr);
    EXPECT_TRUE(proc_is_runnable(proc(0)));
    // A notification to oneself is just kept for the next receive.
    EXPECT_EQ(notify(proc(0), ep(0)), OK);
    EXPECT_EQ(receive(proc(0), ANY), OK);
    EXPECT_EQ(last_msg(proc(0)).m_source, ep(0));
}

TEST_F(IpcSendRecv, StaleEndpointOfReusedSlot) {
    Proc& first = spawn_sys("first");
    const endpoint_t old_ep = first.p_endpoint;
    EXPECT_EQ(receive(first, ANY), BLOCKED);
    ipc_clear_proc(first);
    proc_free_slot(first);
    Proc& second = spawn_sys("second");
    ASSERT_EQ(second.p_nr, endpoint_slot(old_ep));
    EXPECT_EQ(receive(second, ANY), BLOCKED);
    EXPECT_EQ(send(proc(0), old_ep, make_msg(1)), -EDEADSRCDST);
    EXPECT_EQ(notify(proc(0), old_ep), -EDEADSRCDST);
    EXPECT_EQ(receive(proc(0), old_ep), -EDEADSRCDST);
    EXPECT_EQ(result(second), BLOCKED);
    EXPECT_EQ(delivered_count(second), 0);
    EXPECT_EQ(send(proc(0), second.p_endpoint, make_msg(2)), OK);
    EXPECT_EQ(last_msg(second).m_source, ep(0));
}

TEST_F(IpcSendRecv, DeliverToFromTheKernel) {
    EXPECT_EQ(receive(proc(0), ANY), BLOCKED);
    message reply = make_msg(OK);
    reply.m_source = SYSTEM;
    deliver_to(proc(0), reply);
    EXPECT_EQ(result(proc(0)), OK);
    EXPECT_EQ(last_msg(proc(0)).m_source, SYSTEM);
}

}  // namespace
}  // namespace umk
