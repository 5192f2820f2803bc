// asynsend3: the private SENDA table, its window and its reuse.
#include <gtest/gtest.h>

#include "fake_trap.h"
#include "umklib/ipc.h"

using namespace umk;

namespace {

class LibAsynsend : public ::testing::Test {
  protected:
    void SetUp() override { fake::reset(); }

    // One asynsend whose SENDA the fake accepts; returns that trap.
    fake::Trap send(endpoint_t dst, int type, unsigned flags = 0) {
        fake::push_ok(SENDA);
        message m = fake::msg(0, type);
        EXPECT_EQ(asynsend3(dst, &m, flags), OK);
        return fake::ipc_traps().back();
    }
    static asynmsg_t* table_of(const fake::Trap& t) {
        return reinterpret_cast<asynmsg_t*>(t.table);
    }
};

TEST_F(LibAsynsend, QueuesAndHandsTheLiveWindowToTheKernel) {
    const fake::Trap a = send(5, 100);
    EXPECT_EQ(a.call, SENDA);
    EXPECT_EQ(a.ep, 1);  // one entry
    asynmsg_t* t = table_of(a);
    EXPECT_EQ(t[0].flags, AMF_VALID);
    EXPECT_EQ(t[0].dst, 5);
    EXPECT_EQ(t[0].msg.m_type, 100);

    const fake::Trap b = send(6, 101, AMF_NOREPLY);
    EXPECT_EQ(b.table, a.table);
    EXPECT_EQ(b.ep, 2);  // the first is not done yet: both stay in the window
    EXPECT_EQ(t[1].flags, AMF_VALID | AMF_NOREPLY);
}

TEST_F(LibAsynsend, DoneEntriesAreReused) {
    const fake::Trap a = send(5, 1);
    send(5, 2);
    asynmsg_t* t = table_of(a);
    t[0].flags |= AMF_DONE;  // the kernel delivered both
    t[1].flags |= AMF_DONE;
    const fake::Trap c = send(7, 3);
    EXPECT_EQ(c.table, a.table);  // the window starts over at entry 0
    EXPECT_EQ(c.ep, 1);
    EXPECT_EQ(t[0].dst, 7);
    EXPECT_EQ(t[0].flags, AMF_VALID);
}

TEST_F(LibAsynsend, WindowSkipsFinishedEntriesAtTheFront) {
    const fake::Trap a = send(5, 1);
    send(5, 2);
    asynmsg_t* t = table_of(a);
    t[0].flags |= AMF_DONE;
    const fake::Trap c = send(5, 3);
    EXPECT_EQ(c.table, vir_addr(&t[1]));
    EXPECT_EQ(c.ep, 2);
}

TEST_F(LibAsynsend, FullTableIsCompacted) {
    const fake::Trap a = send(5, 0);
    for (int i = 1; i < 100; ++i) send(5, i);
    asynmsg_t* t = table_of(a);
    for (int i = 0; i < 100; i += 2) t[i].flags |= AMF_DONE;  // every other one delivered

    fake::push_ok(SENDA);  // "forget the table" before entries move
    fake::push_ok(SENDA);
    message m = fake::msg(0, 1000);
    EXPECT_EQ(asynsend3(9, &m, 0), OK);
    auto traps = fake::ipc_traps();
    const fake::Trap& reset = traps[traps.size() - 2];
    EXPECT_EQ(reset.ep, 0);
    EXPECT_EQ(reset.table, 0u);
    const fake::Trap& last = traps.back();
    EXPECT_EQ(last.table, a.table);
    EXPECT_EQ(last.ep, 51);  // 50 still pending, moved to the front, plus the new one
    for (int i = 0; i < 50; ++i) EXPECT_EQ(t[i].msg.m_type, 2 * i + 1) << i;
    EXPECT_EQ(t[50].msg.m_type, 1000);
    EXPECT_EQ(t[51].flags, AMF_EMPTY);
}

TEST_F(LibAsynsend, TableFullOfPendingMessagesRefusesTheNewOne) {
    for (int i = 0; i < 100; ++i) send(5, i);
    fake::push_ok(SENDA);  // the reset before compaction
    message m = fake::msg(0, 1000);
    EXPECT_EQ(asynsend3(9, &m, 0), -ENOSPC);
    EXPECT_NE(fake::log.find("table full"), std::string::npos);
}

TEST_F(LibAsynsend, SendaErrorIsReturned) {
    fake::push_ipc({SENDA, NONE, -EPERM, false, {}});
    message m = fake::msg(0, 1);
    EXPECT_EQ(asynsend(5, &m), -EPERM);
}

}  // namespace
