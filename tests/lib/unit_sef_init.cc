// sef_startup: the RS_INIT handshake for each init type, failures, and the
// debug behaviours RS can force (RS_INIT_DEBUG).
#include <gtest/gtest.h>

#include "sef_test_util.h"

using namespace umk;
using namespace sef_test;

namespace {

int seen_type = -1;
sef_init_info_t seen_info{};
int init_result = OK;
int calls = 0;

int record_init(int type, sef_init_info_t* info) {
    ++calls;
    seen_type = type;
    seen_info = *info;
    return init_result;
}

class LibSefInit : public ::testing::Test {
  protected:
    void SetUp() override {
        fake::reset();
        seen_type = -1;
        seen_info = {};
        init_result = OK;
        calls = 0;
        sef_setcb_init_fresh(record_init);
        sef_setcb_init_lu(record_init);
        sef_setcb_init_restart(record_init);
    }
    // The SENDREC that reported the init result to RS.
    static message report() {
        for (const fake::Trap& t : fake::ipc_traps()) {
            if (t.call == SENDREC) return t.msg;
        }
        ADD_FAILURE() << "no init report";
        return {};
    }
};

class LibSefInitTypes : public LibSefInit, public ::testing::WithParamInterface<int> {};

TEST_P(LibSefInitTypes, RunsTheCallbackAndReportsToRs) {
    const int type = GetParam();
    fake::push_receive(init_msg(type));
    fake::push_sendrec(RS, fake::msg(RS, OK));
    EXPECT_FALSE(fake::run([] { sef_startup(); }));

    EXPECT_EQ(calls, 1);
    EXPECT_EQ(seen_type, type);
    EXPECT_EQ(seen_info.rs_endpoint, RS);
    EXPECT_EQ(seen_info.restarts, 3);
    EXPECT_EQ(seen_info.old_endpoint, 36999);
    auto t = fake::ipc_traps();
    ASSERT_EQ(t.size(), 2u);
    EXPECT_EQ(t[0].call, RECEIVE);
    EXPECT_EQ(t[0].ep, RS_PROC_NR);  // only RS: clients' requests stay queued
    EXPECT_EQ(t[1].call, SENDREC);
    EXPECT_EQ(t[1].ep, RS);
    EXPECT_EQ(t[1].msg.m_type, RS_INIT);
    EXPECT_EQ(t[1].msg.RS_INIT_RESULT, OK);
    EXPECT_EQ(t[1].msg.RS_INIT_TYPE, type);
    EXPECT_EQ(sef_rs_endpoint(), RS);
}

INSTANTIATE_TEST_SUITE_P(AllTypes, LibSefInitTypes,
                         ::testing::Values(SEF_INIT_FRESH, SEF_INIT_LU, SEF_INIT_RESTART));

TEST_F(LibSefInit, DefaultCallbacksSucceed) {
    fake::reset();  // defaults: sef_cb_init_null
    fake::push_receive(init_msg(SEF_INIT_RESTART));
    fake::push_sendrec(RS, fake::msg(RS, OK));
    EXPECT_FALSE(fake::run([] { sef_startup(); }));
    EXPECT_EQ(report().RS_INIT_RESULT, OK);
}

TEST_F(LibSefInit, UnknownTypeReportsEinvalAndExits) {
    fake::push_receive(init_msg(7));
    fake::push_sendrec(RS, fake::msg(RS, OK));
    EXPECT_TRUE(fake::run([] { sef_startup(); }));
    EXPECT_EQ(calls, 0);
    EXPECT_EQ(report().RS_INIT_RESULT, -EINVAL);
    EXPECT_EQ(fake::kernel_calls(SYS_EXIT).size(), 1u);
}

TEST_F(LibSefInit, FailingCallbackIsReportedThenExits) {
    init_result = -EIO;
    fake::push_receive(init_msg(SEF_INIT_FRESH));
    fake::push_sendrec(RS, fake::msg(RS, OK));
    EXPECT_TRUE(fake::run([] { sef_startup(); }));
    EXPECT_EQ(report().RS_INIT_RESULT, -EIO);
    EXPECT_EQ(fake::kernel_calls(SYS_EXIT).size(), 1u);
}

TEST_F(LibSefInit, RsRefusalExits) {
    fake::push_receive(init_msg(SEF_INIT_FRESH));
    fake::push_sendrec(RS, fake::msg(RS, -EPERM));
    EXPECT_TRUE(fake::run([] { sef_startup(); }));
    EXPECT_EQ(fake::kernel_calls(SYS_EXIT).size(), 1u);
}

// Before RS_INIT, anything from RS was meant for the predecessor at this
// endpoint (after a restart in place the kernel hands the replica a message
// the dead image never read): ignored, logged, and the init goes on.
TEST_F(LibSefInit, AnythingButRsInitFromRsBeforeTheInitIsIgnored) {
    fake::push_receive(fake::msg(RS, RS_LU_PREPARE));
    fake::push_receive(init_msg(SEF_INIT_RESTART));
    fake::push_sendrec(RS, fake::msg(RS, OK));
    EXPECT_FALSE(fake::run([] { sef_startup(); }));
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(seen_type, SEF_INIT_RESTART);
    EXPECT_NE(fake::log.find("ignoring message type 0x715 from RS before RS_INIT"),
              std::string::npos)
        << fake::log;
    EXPECT_EQ(fake::kernel_calls(SYS_EXIT).size(), 0u);
}

TEST_F(LibSefInit, StalePingFromRsIsSkipped) {
    fake::push_receive(fake::notify_from(RS, NOTIFY_TYPE_RS));
    fake::push_receive(init_msg(SEF_INIT_RESTART));
    fake::push_sendrec(RS, fake::msg(RS, OK));
    EXPECT_FALSE(fake::run([] { sef_startup(); }));
    EXPECT_EQ(calls, 1);
    EXPECT_TRUE(fake::kernel_calls(SYS_EXIT).empty());
    for (const fake::Trap& t : fake::ipc_traps()) {
        if (t.call == RECEIVE) {
            EXPECT_EQ(t.ep, RS_PROC_NR);
        }
    }
}

TEST_F(LibSefInit, NoRsPanicsClearly) {
    fake::push_ipc({RECEIVE, RS_PROC_NR, -EDEADSRCDST, false, {}});
    EXPECT_TRUE(fake::run([] { sef_startup(); }));
    EXPECT_NE(fake::log.find("waiting for RS_INIT from RS (endpoint 2) failed: EDEADSRCDST"),
              std::string::npos)
        << fake::log;
}

TEST_F(LibSefInit, DebugFailReplacesTheCallback) {
    fake::push_receive(init_msg(SEF_INIT_LU, RS_INIT_DEBUG_FAIL));
    fake::push_sendrec(RS, fake::msg(RS, OK));
    EXPECT_TRUE(fake::run([] { sef_startup(); }));
    EXPECT_EQ(calls, 0);
    EXPECT_EQ(report().RS_INIT_RESULT, -ENOSYS);
}

TEST_F(LibSefInit, DebugTimeoutHangsInTheKernel) {
    fake::push_receive(init_msg(SEF_INIT_LU, RS_INIT_DEBUG_TIMEOUT));
    EXPECT_TRUE(fake::run([] { sef_startup(); }));
    EXPECT_EQ(calls, 0);
    auto t = fake::ipc_traps();
    ASSERT_EQ(t.size(), 2u);  // no report to RS: it times out
    EXPECT_EQ(t[1].call, RECEIVE);
    EXPECT_EQ(t[1].ep, CLOCK);  // a real block, not a spin
    EXPECT_TRUE(fake::kernel_calls(SYS_EXIT).empty());
}

TEST_F(LibSefInit, TimeoutCallbackSleepsIfTheKernelRefusesToBlock) {
    fake::push_ipc({RECEIVE, CLOCK, -ECALLDENIED, false, {}});
    EXPECT_TRUE(fake::run([] {
        sef_init_info_t info{};
        sef_cb_init_timeout(SEF_INIT_FRESH, &info);
    }));
    EXPECT_EQ(fake::ipc_traps().size(), 1u);  // then arch_idle, not another trap
}

TEST_F(LibSefInit, DebugCrashFaults) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_DEATH(
        {
            fake::reset();
            fake::echo_log = true;
            sef_setcb_init_lu(record_init);
            fake::push_receive(init_msg(SEF_INIT_LU, RS_INIT_DEBUG_CRASH));
            fake::run([] { sef_startup(); });
        },
        "simulating a crash at initialization time");
}

TEST_F(LibSefInit, CrashWinsOverTheOtherDebugFlags) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_DEATH(
        {
            fake::reset();
            fake::echo_log = true;
            fake::push_receive(init_msg(
                SEF_INIT_FRESH, RS_INIT_DEBUG_CRASH | RS_INIT_DEBUG_FAIL | RS_INIT_DEBUG_TIMEOUT));
            fake::run([] { sef_startup(); });
        },
        "simulating a crash");
}

TEST_F(LibSefInit, StartupOfRsRunsTheFreshCallbackWithoutIpc) {
    fake::self = 2;
    sef_startup_rs();
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(seen_type, SEF_INIT_FRESH);
    EXPECT_EQ(seen_info.rs_endpoint, 2);
    EXPECT_EQ(sef_rs_endpoint(), 2);
    EXPECT_TRUE(fake::ipc_traps().empty());
}

TEST_F(LibSefInit, ExitAndPanic) {
    EXPECT_TRUE(fake::run([] { panic("boom %d", 7); }));
    EXPECT_NE(fake::log.find("fakesvc(42): panic: boom 7\n"), std::string::npos) << fake::log;
    EXPECT_EQ(fake::kernel_calls(SYS_EXIT).size(), 1u);

    // sys_exit refused: the host exit is the last resort.
    fake::reset();
    fake::on_kernel_call(SYS_EXIT, [](message&) { return -ECALLDENIED; });
    EXPECT_TRUE(fake::run([] { sef_exit(3); }));
    EXPECT_NE(fake::log.find("sys_exit failed"), std::string::npos);
}

}  // namespace
