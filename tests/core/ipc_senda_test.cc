// SENDA: asynchronous sends from a table in the sender's memory.
#include <vector>

#include "harness.h"

namespace umk {
namespace {

using namespace test;

constexpr vir_bytes TABLE = mem_addr(0);
constexpr vir_bytes TABLE2 = mem_addr(4096);

asynmsg_t entry(unsigned flags, endpoint_t dst, int type) {
    asynmsg_t e{};
    e.flags = flags;
    e.dst = dst;
    e.msg = make_msg(type);
    e.msg.m_source = 12345;  // whatever the sender writes, the kernel decides
    return e;
}

void write_table(Proc& p, vir_bytes at, const std::vector<asynmsg_t>& t) {
    write_mem(p, at, t.data(), t.size() * sizeof(asynmsg_t));
}

asynmsg_t table_entry(const Proc& p, vir_bytes at, std::size_t i) {
    return read_obj<asynmsg_t>(p, at + i * sizeof(asynmsg_t));
}

class IpcSenda : public ::testing::Test {
  protected:
    void SetUp() override { boot_sys(5); }
};

TEST_F(IpcSenda, DeliveredAtOnceToAWaitingReceiver) {
    EXPECT_EQ(receive(proc(1), ANY), BLOCKED);
    write_table(proc(0), TABLE, {entry(AMF_VALID, ep(1), 7)});
    EXPECT_EQ(senda(proc(0), TABLE, 1), OK);
    EXPECT_EQ(result(proc(1)), OK);
    EXPECT_EQ(last_msg(proc(1)).m_type, 7);
    EXPECT_EQ(last_msg(proc(1)).m_source, ep(0));
    const asynmsg_t e = table_entry(proc(0), TABLE, 0);
    EXPECT_EQ(e.flags, AMF_VALID | AMF_DONE);
    EXPECT_EQ(e.result, OK);
    EXPECT_EQ(e.msg.m_type, 7);            // the message itself is left as written
    EXPECT_EQ(priv_of(0).s_asynsize, 0u);  // nothing left to keep
}

TEST_F(IpcSenda, DeferredUntilTheNextReceive) {
    write_table(proc(0), TABLE, {entry(AMF_VALID, ep(1), 7), entry(AMF_VALID, ep(1), 8)});
    EXPECT_EQ(senda(proc(0), TABLE, 2), OK);
    EXPECT_TRUE(proc_is_runnable(proc(0)));  // never blocks
    EXPECT_EQ(table_entry(proc(0), TABLE, 0).flags, AMF_VALID);
    EXPECT_TRUE(proc(1).p_misc_flags & MF_ASYNMSG);
    EXPECT_EQ(priv_of(0).s_asyntab, TABLE);
    EXPECT_EQ(priv_of(0).s_asynsize, 2u);
    EXPECT_EQ(priv_of(0).s_asynendpoint, ep(0));

    EXPECT_EQ(receive(proc(1), ANY), OK);
    EXPECT_EQ(last_msg(proc(1)).m_type, 7);
    EXPECT_EQ(last_msg(proc(1)).m_source, ep(0));
    EXPECT_EQ(table_entry(proc(0), TABLE, 0).flags, AMF_VALID | AMF_DONE);
    EXPECT_EQ(table_entry(proc(0), TABLE, 1).flags, AMF_VALID);
    EXPECT_TRUE(proc(1).p_misc_flags & MF_ASYNMSG);  // one more

    EXPECT_EQ(receive(proc(1), ANY), OK);
    EXPECT_EQ(last_msg(proc(1)).m_type, 8);
    EXPECT_EQ(table_entry(proc(0), TABLE, 1).flags, AMF_VALID | AMF_DONE);
    EXPECT_EQ(table_entry(proc(0), TABLE, 1).result, OK);
    EXPECT_EQ(proc(1).p_misc_flags & MF_ASYNMSG, 0u);
    EXPECT_EQ(priv_of(0).s_asynsize, 0u);  // all done: forgotten

    // Nothing twice.
    EXPECT_EQ(receive(proc(1), ANY), BLOCKED);
    EXPECT_EQ(delivered_count(proc(1)), 2);
}

TEST_F(IpcSenda, DoneEntriesAreNeverSentAgain) {
    EXPECT_EQ(receive(proc(1), ANY), BLOCKED);
    write_table(proc(0), TABLE, {entry(AMF_VALID, ep(1), 7)});
    EXPECT_EQ(senda(proc(0), TABLE, 1), OK);
    EXPECT_EQ(receive(proc(1), ANY), BLOCKED);
    EXPECT_EQ(senda(proc(0), TABLE, 1), OK);  // the same table again: entry is DONE
    EXPECT_EQ(result(proc(1)), BLOCKED);
    EXPECT_EQ(delivered_count(proc(1)), 1);
}

TEST_F(IpcSenda, OneMessageEachForSeveralWaitingReceivers) {
    EXPECT_EQ(receive(proc(1), ANY), BLOCKED);
    EXPECT_EQ(receive(proc(2), ANY), BLOCKED);
    write_table(
        proc(0), TABLE,
        {entry(AMF_VALID, ep(1), 1), entry(AMF_VALID, ep(2), 2), entry(AMF_VALID, ep(1), 3)});
    EXPECT_EQ(senda(proc(0), TABLE, 3), OK);
    EXPECT_EQ(last_msg(proc(1)).m_type, 1);
    EXPECT_EQ(last_msg(proc(2)).m_type, 2);
    EXPECT_EQ(table_entry(proc(0), TABLE, 2).flags, AMF_VALID);  // 1 was busy by then
    EXPECT_EQ(receive(proc(1), ANY), OK);
    EXPECT_EQ(last_msg(proc(1)).m_type, 3);
}

TEST_F(IpcSenda, EmptyEntriesAndZeroCount) {
    write_table(proc(0), TABLE, {entry(AMF_EMPTY, ep(1), 1), entry(AMF_VALID, ep(1), 2)});
    EXPECT_EQ(senda(proc(0), TABLE, 2), OK);
    EXPECT_EQ(table_entry(proc(0), TABLE, 0).flags, AMF_EMPTY);
    EXPECT_EQ(receive(proc(1), ANY), OK);
    EXPECT_EQ(last_msg(proc(1)).m_type, 2);
    EXPECT_EQ(senda(proc(0), TABLE, 0), OK);
}

TEST_F(IpcSenda, BadFlagsRefuseTheWholeCall) {
    EXPECT_EQ(receive(proc(1), ANY), BLOCKED);
    for (unsigned bad : {0x40u, AMF_DONE, AMF_NOREPLY}) {  // unknown bit, no VALID
        write_table(proc(0), TABLE, {entry(AMF_VALID, ep(1), 1), entry(bad, ep(1), 2)});
        EXPECT_EQ(senda(proc(0), TABLE, 2), -EINVAL) << bad;
        EXPECT_EQ(result(proc(1)), BLOCKED) << "nothing may be delivered";
        EXPECT_EQ(table_entry(proc(0), TABLE, 0).flags, AMF_VALID);
        EXPECT_EQ(proc(1).p_misc_flags & MF_ASYNMSG, 0u);
    }
}

TEST_F(IpcSenda, FailedCallKeepsThePreviousTable) {
    write_table(proc(0), TABLE, {entry(AMF_VALID, ep(1), 1)});
    EXPECT_EQ(senda(proc(0), TABLE, 1), OK);
    write_table(proc(0), TABLE2, {entry(0x40, ep(1), 2)});
    EXPECT_EQ(senda(proc(0), TABLE2, 1), -EINVAL);
    EXPECT_EQ(receive(proc(1), ANY), OK);
    EXPECT_EQ(last_msg(proc(1)).m_type, 1);
}

TEST_F(IpcSenda, OnlySystemProcesses) {
    priv_of(0).s_flags &= ~SYS_PROC;
    write_table(proc(0), TABLE, {entry(AMF_VALID, ep(1), 1)});
    EXPECT_EQ(senda(proc(0), TABLE, 1), -EPERM);
}

TEST_F(IpcSenda, TooManyEntries) {
    EXPECT_EQ(senda(proc(0), TABLE, static_cast<std::size_t>(NR_ASYNC_MAX) + 1), -EDOM);
    EXPECT_EQ(mini_senda(proc(0), TABLE, static_cast<std::size_t>(NR_ASYNC_MAX) + 1), -EDOM);
}

TEST_F(IpcSenda, UnreadableTable) {
    EXPECT_EQ(receive(proc(1), ANY), BLOCKED);
    EXPECT_EQ(senda(proc(0), 0x10, 1), -EFAULT);
    // A table that runs off the end of the memory: nothing delivered.
    const std::size_t fits = FAKE_MEM_SIZE / sizeof(asynmsg_t);
    const vir_bytes last = mem_addr((fits - 1) * sizeof(asynmsg_t));
    write_table(proc(0), last, {entry(AMF_VALID, ep(1), 1)});
    EXPECT_EQ(senda(proc(0), last, 1), OK);
    EXPECT_EQ(last_msg(proc(1)).m_type, 1);
    EXPECT_EQ(receive(proc(1), ANY), BLOCKED);
    write_table(proc(0), last, {entry(AMF_VALID, ep(1), 2)});
    EXPECT_EQ(senda(proc(0), last, 2), -EFAULT);
    EXPECT_EQ(result(proc(1)), BLOCKED);
}

TEST_F(IpcSenda, PerEntryErrors) {
    EXPECT_EQ(receive(proc(1), ANY), BLOCKED);
    priv_of(0).s_ipc_to.reset(priv_of(2).s_id);
    write_table(proc(0), TABLE,
                {entry(AMF_VALID, 9, 1),                    // free slot
                 entry(AMF_VALID, make_endpoint(2, 1), 2),  // stale generation
                 entry(AMF_VALID, ep(2), 3),                // not in the send mask
                 entry(AMF_VALID, SYSTEM, 4),               // a kernel task
                 entry(AMF_VALID, ANY, 5),                  // not an endpoint
                 entry(AMF_VALID, ep(1), 6)});              // fine
    EXPECT_EQ(senda(proc(0), TABLE, 6), OK);
    const int expected[] = {-EDEADSRCDST, -EDEADSRCDST, -ECALLDENIED,
                            -ECALLDENIED, -EDEADSRCDST, OK};
    for (std::size_t i = 0; i < 6; ++i) {
        const asynmsg_t e = table_entry(proc(0), TABLE, i);
        EXPECT_EQ(e.flags, AMF_VALID | AMF_DONE) << i;
        EXPECT_EQ(e.result, expected[i]) << i;
    }
    EXPECT_EQ(last_msg(proc(1)).m_type, 6);
    EXPECT_EQ(delivered_count(proc(2)), 0);
}

TEST_F(IpcSenda, NoreplyNeverEndsASendrec) {
    EXPECT_EQ(sendrec(proc(1), ep(0), make_msg(100)), BLOCKED);
    EXPECT_EQ(receive(proc(0), ANY), OK);  // 1 now waits for 0's reply
    write_table(proc(0), TABLE, {entry(AMF_VALID | AMF_NOREPLY, ep(1), 5)});
    EXPECT_EQ(senda(proc(0), TABLE, 1), OK);
    EXPECT_EQ(result(proc(1)), BLOCKED);
    EXPECT_TRUE(proc(1).p_misc_flags & MF_ASYNMSG);
    EXPECT_EQ(send(proc(0), ep(1), make_msg(101)), OK);  // the real reply
    EXPECT_EQ(last_msg(proc(1)).m_type, 101);
    EXPECT_EQ(receive(proc(1), ANY), OK);  // then the asynchronous message
    EXPECT_EQ(last_msg(proc(1)).m_type, 5);
    EXPECT_EQ(receive(proc(1), ANY), BLOCKED);
}

TEST_F(IpcSenda, NoreplyHeldBackAtReceiveTooButAPlainOneIsAReply) {
    write_table(proc(0), TABLE, {entry(AMF_VALID | AMF_NOREPLY, ep(1), 5)});
    EXPECT_EQ(senda(proc(0), TABLE, 1), OK);  // deferred: 1 is not receiving
    EXPECT_EQ(receive(proc(0), ANY), BLOCKED);
    EXPECT_EQ(sendrec(proc(1), ep(0), make_msg(100)), BLOCKED);
    EXPECT_EQ(result(proc(0)), OK);
    EXPECT_EQ(result(proc(1)), BLOCKED);  // the NOREPLY message is no reply
    write_table(proc(0), TABLE2,
                {entry(AMF_VALID | AMF_NOREPLY, ep(1), 5), entry(AMF_VALID, ep(1), 6)});
    EXPECT_EQ(senda(proc(0), TABLE2, 2), OK);
    EXPECT_EQ(result(proc(1)), OK);
    EXPECT_EQ(last_msg(proc(1)).m_type, 6);  // a plain SENDA message is a reply
    EXPECT_EQ(receive(proc(1), ANY), OK);
    EXPECT_EQ(last_msg(proc(1)).m_type, 5);
}

TEST_F(IpcSenda, ANewCallReplacesThePreviousTable) {
    write_table(proc(0), TABLE, {entry(AMF_VALID, ep(1), 1)});
    EXPECT_EQ(senda(proc(0), TABLE, 1), OK);
    write_table(proc(0), TABLE2, {entry(AMF_VALID, ep(2), 2)});
    EXPECT_EQ(senda(proc(0), TABLE2, 1), OK);
    EXPECT_EQ(priv_of(0).s_asyntab, TABLE2);
    EXPECT_EQ(receive(proc(1), ANY), BLOCKED);  // the first table is forgotten
    EXPECT_EQ(proc(1).p_misc_flags & MF_ASYNMSG, 0u);
    EXPECT_EQ(receive(proc(2), ANY), OK);
    EXPECT_EQ(last_msg(proc(2)).m_type, 2);
}

TEST_F(IpcSenda, QueuedSendersComeFirstThenTablesByPrivilegeId) {
    write_table(proc(3), TABLE, {entry(AMF_VALID, ep(1), 30)});
    EXPECT_EQ(senda(proc(3), TABLE, 1), OK);
    write_table(proc(2), TABLE, {entry(AMF_VALID, ep(1), 20)});
    EXPECT_EQ(senda(proc(2), TABLE, 1), OK);
    EXPECT_EQ(send(proc(4), ep(1), make_msg(40)), BLOCKED);
    for (int expected : {40, 20, 30}) {
        EXPECT_EQ(receive(proc(1), ANY), OK);
        EXPECT_EQ(last_msg(proc(1)).m_type, expected);
    }
    EXPECT_EQ(receive(proc(1), ANY), BLOCKED);
}

TEST_F(IpcSenda, ReceiveFromASpecificSender) {
    write_table(proc(2), TABLE, {entry(AMF_VALID, ep(1), 20)});
    EXPECT_EQ(senda(proc(2), TABLE, 1), OK);
    write_table(proc(3), TABLE, {entry(AMF_VALID, ep(1), 30)});
    EXPECT_EQ(senda(proc(3), TABLE, 1), OK);
    EXPECT_EQ(receive(proc(1), ep(3)), OK);
    EXPECT_EQ(last_msg(proc(1)).m_type, 30);
    EXPECT_EQ(receive(proc(1), ep(4)), BLOCKED);
    EXPECT_EQ(send(proc(4), ep(1), make_msg(40)), OK);
    EXPECT_EQ(receive(proc(1), ANY), OK);
    EXPECT_EQ(last_msg(proc(1)).m_type, 20);
}

TEST_F(IpcSenda, DestinationDiedBeforeDelivery) {
    write_table(proc(0), TABLE, {entry(AMF_VALID, ep(2), 1), entry(AMF_VALID, ep(1), 2)});
    EXPECT_EQ(senda(proc(0), TABLE, 2), OK);
    ipc_clear_proc(proc(2));
    proc_free_slot(proc(2));
    EXPECT_EQ(receive(proc(1), ANY), OK);
    EXPECT_EQ(last_msg(proc(1)).m_type, 2);
    // The scan settled the dead destination's entry too.
    EXPECT_EQ(table_entry(proc(0), TABLE, 0).flags, AMF_VALID | AMF_DONE);
    EXPECT_EQ(table_entry(proc(0), TABLE, 0).result, -EDEADSRCDST);
    EXPECT_EQ(priv_of(0).s_asynsize, 0u);
}

TEST_F(IpcSenda, TableInAnotherImagesMemoryAfterAnUpdate) {
    // As ipc_fix_after_swap leaves it: slot 0 registered the table, but the
    // image that wrote it (and its memory) now lives in slot 3.
    write_table(proc(3), TABLE, {entry(AMF_VALID, ep(1), 7)});
    priv_of(0).s_asyntab = TABLE;
    priv_of(0).s_asynsize = 1;
    priv_of(0).s_asynendpoint = ep(3);
    proc(1).p_misc_flags |= MF_ASYNMSG;
    EXPECT_EQ(receive(proc(1), ep(3)), BLOCKED);  // not from 3 ...
    EXPECT_EQ(send(proc(3), ep(1), make_msg(0)), OK);
    EXPECT_EQ(receive(proc(1), ep(0)), OK);  // ... but from the endpoint 0
    EXPECT_EQ(last_msg(proc(1)).m_type, 7);
    EXPECT_EQ(last_msg(proc(1)).m_source, ep(0));
    EXPECT_EQ(table_entry(proc(3), TABLE, 0).flags, AMF_VALID | AMF_DONE);
}

TEST_F(IpcSenda, ManyMessagesNoneLostNoneTwice) {
    std::vector<asynmsg_t> t;
    for (int i = 0; i < 40; ++i) t.push_back(entry(AMF_VALID, ep(1 + i % 3), 1000 + i));
    write_table(proc(0), TABLE, t);
    EXPECT_EQ(receive(proc(2), ANY), BLOCKED);
    EXPECT_EQ(senda(proc(0), TABLE, t.size()), OK);
    std::vector<int> got[3];
    got[1].push_back(last_msg(proc(2)).m_type);
    for (int r = 0; r < 3; ++r) {
        while (receive(proc(1 + r), ANY) == OK) got[r].push_back(last_msg(proc(1 + r)).m_type);
    }
    for (int r = 0; r < 3; ++r) {
        std::vector<int> want;
        for (int i = r; i < 40; i += 3) want.push_back(1000 + i);
        EXPECT_EQ(got[r], want) << "receiver " << r + 1;
    }
    for (std::size_t i = 0; i < t.size(); ++i)
        EXPECT_EQ(table_entry(proc(0), TABLE, i).flags, AMF_VALID | AMF_DONE) << i;
}

}  // namespace
}  // namespace umk
