// sef_receive: pings, live-update prepare, signals, and the messages it
// hands to the service.
#include <gtest/gtest.h>

#include "umk/sig.h"

#include "sef_test_util.h"
#include "umklib/syslib.h"

using namespace umk;
using namespace sef_test;

namespace {

std::vector<std::pair<int, int>> state_changes;
std::vector<int> prepare_calls;
std::vector<int> saves;
std::vector<int> handled;                         // signal handler
std::vector<std::pair<endpoint_t, int>> managed;  // signal manager
std::vector<int> prepare_answers;                 // consumed front to back, then OK
int save_result = OK;

void record_changed(int old_state, int state) {
    state_changes.emplace_back(old_state, state);
}
int scripted_prepare(int state) {
    prepare_calls.push_back(state);
    if (prepare_answers.empty()) return OK;
    const int r = prepare_answers.front();
    prepare_answers.erase(prepare_answers.begin());
    return r;
}
int record_save(int state) {
    saves.push_back(state);
    return save_result;
}
void record_signal(int sig) {
    handled.push_back(sig);
}
int record_managed(endpoint_t target, int sig) {
    managed.emplace_back(target, sig);
    return target == 101 ? -EDEADSRCDST : OK;
}

constexpr int NOTIFY_TYPE_SYSTEM = NOTIFY_MESSAGE | 2;

class LibSefReceive : public ::testing::Test {
  protected:
    void SetUp() override {
        fake::reset();
        state_changes.clear();
        prepare_calls.clear();
        saves.clear();
        handled.clear();
        managed.clear();
        prepare_answers.clear();
        save_result = OK;
        start_service();
        sef_setcb_lu_state_changed(record_changed);
        sef_setcb_lu_state_save(record_save);
        sef_setcb_signal_handler(record_signal);
        sef_setcb_signal_manager(record_managed);
    }
    // sef_receive from ANY; the script must end with a message for the service.
    message receive() {
        message m{};
        EXPECT_FALSE(fake::run([&m] { EXPECT_EQ(sef_receive(ANY, &m), OK); }));
        return m;
    }
    static std::vector<fake::Trap> calls_of(int call) {
        std::vector<fake::Trap> out;
        for (const fake::Trap& t : fake::ipc_traps()) {
            if (t.call == call) out.push_back(t);
        }
        return out;
    }
};

// ---- pings and ordinary traffic ----

TEST_F(LibSefReceive, PingIsAnsweredWithAPongAndEaten) {
    fake::push_receive(fake::notify_from(RS, NOTIFY_TYPE_RS));
    fake::push_ok(NOTIFY, RS);
    fake::push_receive(fake::msg(77, 500));
    const message m = receive();
    EXPECT_EQ(m.m_type, 500);
    EXPECT_EQ(calls_of(NOTIFY).size(), 1u);
}

TEST_F(LibSefReceive, NullPingReplySendsNothing) {
    sef_setcb_ping_reply(sef_cb_ping_reply_null);
    fake::push_receive(fake::notify_from(RS, NOTIFY_TYPE_RS));
    fake::push_receive(fake::msg(77, 500));
    EXPECT_EQ(receive().m_type, 500);
    EXPECT_TRUE(calls_of(NOTIFY).empty());
}

TEST_F(LibSefReceive, OtherNotificationsAndMessagesReachTheService) {
    fake::push_receive(fake::notify_from(CLOCK, NOTIFY_MESSAGE | 1));
    EXPECT_EQ(receive().m_source, CLOCK);
    fake::push_receive(fake::notify_from(77, NOTIFY_MESSAGE | 9));
    EXPECT_EQ(receive().m_source, 77);
    fake::push_receive(lu_msg(SEF_LU_STATE_WORK_FREE, 77));  // not from RS: not SEF's
    EXPECT_EQ(receive().m_type, RS_LU_PREPARE);
    EXPECT_TRUE(state_changes.empty());
}

TEST_F(LibSefReceive, LateRsInitIsIgnored) {
    fake::push_receive(init_msg(SEF_INIT_FRESH));
    fake::push_receive(fake::msg(77, 500));
    EXPECT_EQ(receive().m_type, 500);
    EXPECT_TRUE(calls_of(SENDREC).empty());
    EXPECT_NE(fake::log.find("late RS_INIT"), std::string::npos);
}

TEST_F(LibSefReceive, ReceiveErrorIsReturnedWithStatus) {
    fake::push_ipc({RECEIVE, NONE, -ESRCDIED, false, {}});
    message m{};
    int status = 0;
    EXPECT_EQ(sef_receive_status(55, &m, &status), -ESRCDIED);
    EXPECT_EQ(status, -ESRCDIED);
    EXPECT_EQ(fake::ipc_traps()[0].ep, 55);
}

// ---- live update ----

TEST_F(LibSefReceive, WorkFreeIsReadyAtTheNextReceive) {
    sef_setcb_lu_state_isvalid(sef_cb_lu_state_isvalid_standard);
    sef_setcb_lu_prepare(scripted_prepare);
    fake::push_receive(lu_msg(SEF_LU_STATE_WORK_FREE));
    // No answer to the readiness SENDREC: RS swapped us out.
    EXPECT_TRUE(fake::run([] {
        message m;
        sef_receive(ANY, &m);
    }));
    EXPECT_TRUE(prepare_calls.empty());  // WORK_FREE never asks prepare()
    ASSERT_EQ(state_changes.size(), 1u);
    EXPECT_EQ(state_changes[0], std::make_pair(SEF_LU_STATE_NULL, SEF_LU_STATE_WORK_FREE));
    EXPECT_EQ(saves, std::vector<int>{SEF_LU_STATE_WORK_FREE});
    auto sr = calls_of(SENDREC);
    ASSERT_EQ(sr.size(), 1u);
    EXPECT_EQ(sr[0].ep, RS);
    EXPECT_EQ(sr[0].msg.m_type, RS_LU_PREPARE);
    EXPECT_EQ(sr[0].msg.RS_LU_RESULT, OK);
    EXPECT_EQ(sr[0].msg.RS_LU_STATE, SEF_LU_STATE_WORK_FREE);
}

TEST_F(LibSefReceive, RequestFreeWaitsForPrepare) {
    sef_setcb_lu_state_isvalid(sef_cb_lu_state_isvalid_standard);
    sef_setcb_lu_prepare(scripted_prepare);
    prepare_answers = {-ENOTREADY};
    fake::push_receive(lu_msg(SEF_LU_STATE_REQUEST_FREE));
    fake::push_receive(fake::msg(77, 500));  // a request in progress
    EXPECT_EQ(receive().m_type, 500);
    EXPECT_EQ(prepare_calls, std::vector<int>{SEF_LU_STATE_REQUEST_FREE});
    EXPECT_TRUE(calls_of(SENDREC).empty());

    // The request is done; at the next receive prepare() says OK.
    EXPECT_TRUE(fake::run([] {
        message m;
        sef_receive(ANY, &m);
    }));
    EXPECT_EQ(prepare_calls.size(), 2u);
    auto sr = calls_of(SENDREC);
    ASSERT_EQ(sr.size(), 1u);
    EXPECT_EQ(sr[0].msg.RS_LU_STATE, SEF_LU_STATE_REQUEST_FREE);
    EXPECT_EQ(sr[0].msg.RS_LU_RESULT, OK);
}

TEST_F(LibSefReceive, NeverReadyNeverReports) {
    sef_setcb_lu_state_isvalid(sef_cb_lu_state_isvalid_standard);
    sef_setcb_lu_prepare(sef_cb_lu_prepare_never_ready);
    fake::push_receive(lu_msg(SEF_LU_STATE_PROTOCOL_FREE));
    fake::push_receive(fake::msg(77, 1));
    EXPECT_EQ(receive().m_type, 1);
    fake::push_receive(fake::msg(77, 2));
    EXPECT_EQ(receive().m_type, 2);
    EXPECT_TRUE(calls_of(SENDREC).empty());
    EXPECT_TRUE(saves.empty());
}

TEST_F(LibSefReceive, DefaultPrepareIsNotReady) {
    sef_setcb_lu_state_isvalid(sef_cb_lu_state_isvalid_standard);
    fake::push_receive(lu_msg(SEF_LU_STATE_REQUEST_FREE));
    fake::push_receive(fake::msg(77, 1));
    EXPECT_EQ(receive().m_type, 1);
    fake::push_receive(fake::msg(77, 2));
    EXPECT_EQ(receive().m_type, 2);
    EXPECT_TRUE(calls_of(SENDREC).empty());
}

TEST_F(LibSefReceive, StateZeroCancels) {
    sef_setcb_lu_state_isvalid(sef_cb_lu_state_isvalid_standard);
    sef_setcb_lu_prepare(sef_cb_lu_prepare_never_ready);
    fake::push_receive(lu_msg(SEF_LU_STATE_REQUEST_FREE));
    fake::push_receive(lu_msg(SEF_LU_STATE_NULL));
    fake::push_receive(fake::msg(77, 1));
    EXPECT_EQ(receive().m_type, 1);
    ASSERT_EQ(state_changes.size(), 2u);
    EXPECT_EQ(state_changes[1], std::make_pair(SEF_LU_STATE_REQUEST_FREE, SEF_LU_STATE_NULL));
    sef_setcb_lu_prepare(scripted_prepare);
    fake::push_receive(fake::msg(77, 2));
    EXPECT_EQ(receive().m_type, 2);
    EXPECT_TRUE(prepare_calls.empty());  // nothing pending any more
    EXPECT_TRUE(calls_of(SENDREC).empty());
}

TEST_F(LibSefReceive, InvalidStateWithoutLuSupportRepliesEnosys) {
    // isvalid left at its default: the service does not do live update.
    fake::push_receive(lu_msg(SEF_LU_STATE_WORK_FREE));
    fake::push_sendrec(RS, fake::msg(RS, OK));
    fake::push_receive(fake::msg(77, 1));
    EXPECT_EQ(receive().m_type, 1);
    auto sr = calls_of(SENDREC);
    ASSERT_EQ(sr.size(), 1u);
    EXPECT_EQ(sr[0].msg.RS_LU_RESULT, -ENOSYS);
    EXPECT_TRUE(saves.empty());
    EXPECT_TRUE(state_changes.empty());
}

TEST_F(LibSefReceive, UnknownStateRepliesEinval) {
    sef_setcb_lu_state_isvalid(sef_cb_lu_state_isvalid_standard);
    fake::push_receive(lu_msg(SEF_LU_STATE_CUSTOM_BASE + 3));
    fake::push_sendrec(RS, fake::msg(RS, OK));
    fake::push_receive(fake::msg(77, 1));
    EXPECT_EQ(receive().m_type, 1);
    auto sr = calls_of(SENDREC);
    ASSERT_EQ(sr.size(), 1u);
    EXPECT_EQ(sr[0].msg.RS_LU_RESULT, -EINVAL);
}

TEST_F(LibSefReceive, AbortedUpdateResetsTheStateAndServiceContinues) {
    sef_setcb_lu_state_isvalid(sef_cb_lu_state_isvalid_standard);
    sef_setcb_lu_prepare(scripted_prepare);
    fake::push_receive(lu_msg(SEF_LU_STATE_WORK_FREE));
    fake::push_sendrec(RS, fake::msg(RS, -ERESTART));  // RS rolled back
    fake::push_receive(fake::msg(77, 1));
    EXPECT_EQ(receive().m_type, 1);
    ASSERT_EQ(state_changes.size(), 2u);
    EXPECT_EQ(state_changes[1], std::make_pair(SEF_LU_STATE_WORK_FREE, SEF_LU_STATE_NULL));
    EXPECT_NE(fake::log.find("aborted"), std::string::npos);
    fake::push_receive(fake::msg(77, 2));
    EXPECT_EQ(receive().m_type, 2);
    EXPECT_EQ(calls_of(SENDREC).size(), 1u);  // no second report
}

TEST_F(LibSefReceive, FailedStateSaveAbortsWithItsError) {
    sef_setcb_lu_state_isvalid(sef_cb_lu_state_isvalid_standard);
    save_result = -ENOMEM;
    fake::push_receive(lu_msg(SEF_LU_STATE_WORK_FREE));
    fake::push_sendrec(RS, fake::msg(RS, OK));
    fake::push_receive(fake::msg(77, 1));
    EXPECT_EQ(receive().m_type, 1);
    auto sr = calls_of(SENDREC);
    ASSERT_EQ(sr.size(), 1u);
    EXPECT_EQ(sr[0].msg.RS_LU_RESULT, -ENOMEM);
}

TEST_F(LibSefReceive, PrepareCrashFaults) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_DEATH(
        {
            fake::echo_log = true;
            sef_setcb_lu_state_isvalid(sef_cb_lu_state_isvalid_standard);
            sef_setcb_lu_prepare(sef_cb_lu_prepare_crash);
            fake::push_receive(lu_msg(SEF_LU_STATE_REQUEST_FREE));
            fake::run([] {
                message m;
                sef_receive(ANY, &m);
            });
        },
        "simulating a crash at update prepare time");
}

// ---- signals ----

TEST_F(LibSefReceive, SigksigDrainsGetksigAndEndsLiveTargets) {
    int round = 0;
    fake::on_kernel_call(SYS_GETKSIG, [&round](message& m) {
        switch (round++) {
            case 0:
                m.SIG_ENDPT = 100;
                m.SIG_MAP = sig_bit(SIGTERM) | sig_bit(SIGSEGV);
                break;
            case 1:
                m.SIG_ENDPT = 101;  // dies while we handle it
                m.SIG_MAP = sig_bit(SIGKILL) | sig_bit(SIGTERM);
                break;
            default:
                m.SIG_ENDPT = NONE;
                m.SIG_MAP = 0;
        }
        return OK;
    });
    std::vector<endpoint_t> ended;
    fake::on_kernel_call(SYS_ENDKSIG, [&ended](message& m) {
        ended.push_back(m.SIG_ENDPT);
        return OK;
    });
    fake::push_receive(fake::notify_from(SYSTEM, NOTIFY_TYPE_SYSTEM, sig_bit(SIGKSIG)));
    fake::push_receive(fake::msg(77, 1));
    EXPECT_EQ(receive().m_type, 1);
    EXPECT_EQ(handled, std::vector<int>{SIGKSIG});
    const std::vector<std::pair<endpoint_t, int>> want{
        {100, SIGSEGV}, {100, SIGTERM}, {101, SIGKILL}};
    EXPECT_EQ(managed, want);  // 101's SIGTERM skipped: the target is gone
    EXPECT_EQ(ended, std::vector<endpoint_t>{100});
    EXPECT_EQ(round, 3);
}

TEST_F(LibSefReceive, SigksigsmHandsOwnSignalsToTheHandler) {
    fake::push_receive(fake::notify_from(SYSTEM, NOTIFY_TYPE_SYSTEM,
                                         sig_bit(SIGKSIGSM) | sig_bit(SIGTERM) | sig_bit(SIGHUP)));
    fake::push_receive(fake::msg(77, 1));
    EXPECT_EQ(receive().m_type, 1);
    EXPECT_EQ(handled, (std::vector<int>{SIGKSIGSM, SIGHUP, SIGTERM}));
    EXPECT_TRUE(fake::kernel_calls(SYS_GETKSIG).empty());
}

TEST_F(LibSefReceive, OtherKernelSignalsGoToTheHandler) {
    fake::push_receive(
        fake::notify_from(SYSTEM, NOTIFY_TYPE_SYSTEM, sig_bit(SIGKMESS) | sig_bit(SIGKNDELAY)));
    fake::push_receive(fake::msg(77, 1));
    EXPECT_EQ(receive().m_type, 1);
    EXPECT_EQ(handled, (std::vector<int>{SIGKMESS, SIGKNDELAY}));
}

// SIGKSTART (a process we spawned has started) is a kernel signal too.
TEST_F(LibSefReceive, SigkstartGoesToTheHandler) {
    fake::push_receive(fake::notify_from(SYSTEM, NOTIFY_TYPE_SYSTEM, sig_bit(SIGKSTART)));
    fake::push_receive(fake::msg(77, 1));
    EXPECT_EQ(receive().m_type, 1);
    EXPECT_EQ(handled, std::vector<int>{SIGKSTART});
    EXPECT_FALSE(fake::run([] { sef_cb_signal_handler_posix_default(SIGKSTART); }));
}

TEST_F(LibSefReceive, SignalMessagesFromPm) {
    message s = fake::msg(PM, SIGS_SIGNAL_RECEIVED);
    s.SIGS_SIG_NUM = SIGTERM;
    fake::push_receive(s);
    message bad = s;
    bad.SIGS_SIG_NUM = 99;
    fake::push_receive(bad);
    fake::push_receive(fake::msg(77, 1));
    EXPECT_EQ(receive().m_type, 1);
    EXPECT_EQ(handled, std::vector<int>{SIGTERM});
    EXPECT_NE(fake::log.find("bad signal 99"), std::string::npos);
}

TEST_F(LibSefReceive, TermHandlerExitsOnSigterm) {
    sef_setcb_signal_handler(sef_cb_signal_handler_term);
    message s = fake::msg(PM, SIGS_SIGNAL_RECEIVED);
    s.SIGS_SIG_NUM = SIGHUP;
    fake::push_receive(s);
    fake::push_receive(fake::msg(77, 1));
    EXPECT_EQ(receive().m_type, 1);  // SIGHUP ignored
    s.SIGS_SIG_NUM = SIGTERM;
    fake::push_receive(s);
    EXPECT_TRUE(fake::run([] {
        message m;
        sef_receive(ANY, &m);
    }));
    EXPECT_EQ(fake::kernel_calls(SYS_EXIT).size(), 1u);
}

TEST_F(LibSefReceive, PosixDefaultHandler) {
    EXPECT_FALSE(fake::run([] {
        sef_cb_signal_handler_posix_default(SIGCHLD);
        sef_cb_signal_handler_posix_default(SIGKMESS);
        sef_cb_signal_handler_posix_default(28);  // SIGWINCH
    }));
    EXPECT_TRUE(fake::run([] { sef_cb_signal_handler_posix_default(SIGUSR1); }));
}

TEST_F(LibSefReceive, PredefinedCallbackValues) {
    EXPECT_EQ(sef_cb_lu_prepare_null(1), -ENOTREADY);
    EXPECT_EQ(sef_cb_lu_prepare_always_ready(2), OK);
    EXPECT_EQ(sef_cb_lu_prepare_never_ready(2), -ENOTREADY);
    EXPECT_EQ(sef_cb_lu_state_isvalid_null(1), 0);
    EXPECT_FALSE(sef_cb_lu_state_isvalid_standard(0));
    EXPECT_TRUE(sef_cb_lu_state_isvalid_standard(1));
    EXPECT_TRUE(sef_cb_lu_state_isvalid_standard(3));
    EXPECT_FALSE(sef_cb_lu_state_isvalid_standard(4));
    EXPECT_EQ(sef_cb_lu_state_save_null(1), OK);
    EXPECT_EQ(sef_cb_signal_manager_null(5, SIGTERM), OK);
    sef_init_info_t info{};
    EXPECT_EQ(sef_cb_init_null(0, &info), OK);
    EXPECT_EQ(sef_cb_init_fail(0, &info), -ENOSYS);
}

}  // namespace
