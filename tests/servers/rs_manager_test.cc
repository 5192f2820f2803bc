// RS's policy on a fake Host: start, crash recovery with a frozen
// predecessor and backoff, heartbeats, down/refresh/restart, and every path
// of live update (success, prepare timeout, not ready, init failure, crash
// and hang with rollback, a second update, the old version dying).
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "manager.h"
#include "rs_fake_host.h"
#include "umk/sig.h"
#include "umklib/rs_proto.h"
#include "umklib/sef.h"

namespace umk::rs {
namespace {

using testing::FakeHost;

constexpr endpoint_t RS_EP = 2;
constexpr endpoint_t DS_EP = 6;
constexpr endpoint_t CLIENT = 4242;
constexpr endpoint_t CLIENT2 = 4343;

const char* kConf = R"(
service ds { period 0; };
service hello { period 10; ipc SYSTEM ds rs; };
service quiet { period 0; };
)";

class RsManager : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_EQ(conf::parse(kConf, std::strlen(kConf), "t.conf", &cfg_, &err_), OK);
        m_.init(h_, &cfg_, RS_EP);
        ASSERT_EQ(m_.adopt_boot("ds", DS_EP), OK);
        m_.init_reply(DS_EP, OK);
        ASSERT_TRUE(m_.ds_ready());
        h_.clear_events();
    }

    rs_start make_start(const char* program, const char* label = "") {
        rs_start st{};
        std::strcpy(st.program, program);
        std::strcpy(st.label, label);
        st.period = -1;
        return st;
    }

    int request(int type, const rs_start* st, const char* label = nullptr,
                endpoint_t caller = CLIENT) {
        Request rq{type, caller, st, label};
        endpoint_t ep;
        int r = m_.request(rq, &ep);
        last_ep_ = ep;
        return r;
    }

    // `service up` + a successful init: the new endpoint.
    endpoint_t up(const char* program, const char* label = "") {
        rs_start st = make_start(program, label);
        EXPECT_EQ(request(RS_UP, &st), -EDONTREPLY);
        endpoint_t ep = h_.next_ep - 1;
        m_.init_reply(ep, OK);
        EXPECT_TRUE(h_.saw("reply " + std::to_string(CLIENT) + " r=0 ep=" + std::to_string(ep)));
        h_.clear_events();
        return ep;
    }

    // Start an update of `label`; returns the new version's endpoint.
    endpoint_t start_update(const char* label, int state = 1, int maxtime = 0,
                            endpoint_t caller = CLIENT) {
        rs_start st = make_start("", label);
        st.flags = RSS_SELF;
        st.state = state;
        st.maxtime = maxtime;
        EXPECT_EQ(request(RS_UPDATE, &st, nullptr, caller), -EDONTREPLY);
        return h_.next_ep - 1;
    }

    std::string reply_to(endpoint_t who, int r, endpoint_t ep) {
        return "reply " + std::to_string(who) + " r=" + std::to_string(r) +
               " ep=" + std::to_string(ep);
    }

    FakeHost h_;
    Manager m_;
    conf::Config cfg_;
    conf::Error err_;
    endpoint_t last_ep_ = NONE;
};

TEST(RsBackoff, DoublesUpToThirtyPeriods) {
    EXPECT_EQ(backoff_periods(0), 0);
    EXPECT_EQ(backoff_periods(1), 2);
    EXPECT_EQ(backoff_periods(2), 4);
    EXPECT_EQ(backoff_periods(3), 8);
    EXPECT_EQ(backoff_periods(4), 16);
    EXPECT_EQ(backoff_periods(5), 30);
    EXPECT_EQ(backoff_periods(100), 30);
}

TEST_F(RsManager, UpSpawnsConfiguresPublishesAndRepliesAfterInit) {
    rs_start st = make_start("/bin/hello");
    ASSERT_EQ(request(RS_UP, &st), -EDONTREPLY);
    endpoint_t ep = h_.next_ep - 1;
    EXPECT_TRUE(h_.saw("spawn /bin/hello " + std::to_string(ep)));
    EXPECT_TRUE(h_.saw("set_priv " + std::to_string(ep)));
    EXPECT_TRUE(h_.saw("publish hello " + std::to_string(ep)));
    EXPECT_TRUE(h_.saw("allow " + std::to_string(ep)));
    EXPECT_TRUE(h_.saw("init " + std::to_string(ep) +
                       " type=0 restarts=0 old=" + std::to_string(NONE) + " debug=0"));
    EXPECT_EQ(h_.count_prefix("reply " + std::to_string(CLIENT)), 0);  // not before init
    m_.init_reply(ep, OK);
    EXPECT_TRUE(h_.saw(reply_to(ep, OK, NONE)));  // the service's init SENDREC
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, OK, ep)));
    Request rq{RS_LOOKUP, CLIENT, nullptr, "hello"};
    endpoint_t found;
    EXPECT_EQ(m_.request(rq, &found), OK);
    EXPECT_EQ(found, ep);
    const Service* s = m_.by_endpoint(ep);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->period, 10);  // from system.conf
}

TEST_F(RsManager, UpOfARunningLabelIsBusyAndLookupOfUnknownIsEsrch) {
    up("/bin/hello");
    rs_start st = make_start("/bin/hello");
    EXPECT_EQ(request(RS_UP, &st), -EBUSY);
    EXPECT_EQ(request(RS_LOOKUP, nullptr, "nosuch"), -ESRCH);
    EXPECT_EQ(request(RS_LOOKUP, nullptr, "rs"), OK);
    EXPECT_EQ(last_ep_, RS_EP);
}

TEST_F(RsManager, UpWhoseInitFailsReportsTheInitErrorAndCleansUp) {
    rs_start st = make_start("/bin/hello");
    ASSERT_EQ(request(RS_UP, &st), -EDONTREPLY);
    endpoint_t ep = h_.next_ep - 1;
    m_.init_reply(ep, -ENOSYS);
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, -ENOSYS, ep)));
    EXPECT_TRUE(h_.saw("clear " + std::to_string(ep)));
    EXPECT_EQ(m_.find_active("hello"), nullptr);
    EXPECT_EQ(m_.signal(ep, SIGKILL), -EDEADSRCDST);  // the kernel's late signal is ignored
    EXPECT_EQ(h_.count_prefix("spawn"), 1);           // a fresh start is not retried
}

TEST_F(RsManager, UpWhoseSpawnFailsAnswersAtOnce) {
    h_.spawn_error = -ENOENT;
    rs_start st = make_start("/bin/nosuch");
    EXPECT_EQ(request(RS_UP, &st), -ENOENT);
    EXPECT_EQ(m_.records_in_use(), 1);  // ds only
}

TEST_F(RsManager, CrashKeepsTheDeadInstanceUntilTheReplicaInitialized) {
    endpoint_t ep = up("/bin/hello");
    EXPECT_EQ(m_.signal(ep, SIGSEGV), -EDEADSRCDST);  // frozen: no ENDKSIG
    endpoint_t replica = h_.next_ep - 1;
    ASSERT_NE(replica, ep);
    EXPECT_TRUE(h_.saw("init " + std::to_string(replica) +
                       " type=2 restarts=1 old=" + std::to_string(ep) + " debug=0"));
    EXPECT_TRUE(
        h_.saw("publish hello " + std::to_string(replica)));  // subscribers learn the new endpoint
    EXPECT_FALSE(h_.saw("clear " + std::to_string(ep)));      // not yet
    m_.init_reply(replica, OK);
    EXPECT_TRUE(h_.saw("clear " + std::to_string(ep)));
    const Service* s = m_.find_active("hello");
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->endpoint, replica);
    EXPECT_EQ(s->restarts, 1);
    EXPECT_EQ(m_.records_in_use(), 2);
}

TEST_F(RsManager, RepeatedCrashesBackOff) {
    endpoint_t ep = up("/bin/hello");
    m_.signal(ep, SIGSEGV);  // first crash: at once
    endpoint_t r1 = h_.next_ep - 1;
    m_.init_reply(r1, OK);
    h_.clear_events();
    m_.signal(r1, SIGABRT);  // second: after 2^1 periods
    EXPECT_EQ(h_.count_prefix("spawn"), 0);
    h_.ticks += RS_DELTA_T;
    m_.tick();
    EXPECT_EQ(h_.count_prefix("spawn"), 0);
    h_.ticks += RS_DELTA_T;
    m_.tick();
    EXPECT_EQ(h_.count_prefix("spawn"), 1);
    endpoint_t r2 = h_.next_ep - 1;
    m_.init_reply(r2, OK);
    EXPECT_TRUE(h_.saw("clear " + std::to_string(r1)));
    EXPECT_EQ(m_.find_active("hello")->restarts, 2);
}

TEST_F(RsManager, ReplicaThatFailsItsInitIsRestartedAgain) {
    endpoint_t ep = up("/bin/hello");
    m_.signal(ep, SIGKILL);
    endpoint_t r1 = h_.next_ep - 1;
    m_.init_reply(r1, -EGENERIC);
    EXPECT_TRUE(h_.saw("clear " + std::to_string(ep)));  // the older corpse goes
    h_.ticks += 2 * RS_DELTA_T;
    m_.tick();
    endpoint_t r2 = h_.next_ep - 1;
    ASSERT_NE(r2, r1);
    m_.init_reply(r2, OK);
    EXPECT_TRUE(h_.saw("clear " + std::to_string(r1)));
    EXPECT_EQ(m_.find_active("hello")->endpoint, r2);
}

TEST_F(RsManager, MissedHeartbeatKillsAndRestarts) {
    endpoint_t ep = up("/bin/hello");  // period 10
    h_.ticks += 10;
    m_.tick();
    EXPECT_TRUE(h_.saw("ping " + std::to_string(ep)));
    h_.ticks += 5;
    m_.notified(ep);  // answered
    h_.ticks += 5;
    m_.tick();
    EXPECT_EQ(h_.count_prefix("ping"), 2);
    h_.clear_events();
    h_.ticks += 11;  // no answer within the period
    m_.tick();
    EXPECT_TRUE(h_.saw("kill " + std::to_string(ep) + " 9"));
    EXPECT_EQ(h_.count_prefix("spawn"), 1);
    EXPECT_EQ(m_.signal(ep, SIGKILL), -EDEADSRCDST);  // the kernel's echo of RS's kill
    EXPECT_EQ(h_.count_prefix("spawn"), 1);
}

TEST_F(RsManager, InitTimeoutKillsTheService) {
    rs_start st = make_start("/bin/hello");
    ASSERT_EQ(request(RS_UP, &st), -EDONTREPLY);
    endpoint_t ep = h_.next_ep - 1;
    h_.ticks += RS_INIT_T + 1;
    m_.tick();
    EXPECT_TRUE(h_.saw("kill " + std::to_string(ep) + " 9"));
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, -EINTR, ep)));
    EXPECT_TRUE(h_.saw("clear " + std::to_string(ep)));
}

TEST_F(RsManager, DownTerminatesAndAnswersWhenDead) {
    endpoint_t ep = up("/bin/hello");
    EXPECT_EQ(request(RS_DOWN, nullptr, "hello"), -EDONTREPLY);
    EXPECT_TRUE(h_.saw("kill " + std::to_string(ep) + " 15"));
    EXPECT_EQ(m_.signal(ep, SIGTERM), OK);  // RS turns it into a message for the service
    EXPECT_TRUE(h_.saw("signal " + std::to_string(ep) + " 15"));
    EXPECT_EQ(m_.signal(ep, SIGABRT), -EDEADSRCDST);  // it exited
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, OK, ep)));
    EXPECT_TRUE(h_.saw("unpublish hello"));
    EXPECT_TRUE(h_.saw("clear " + std::to_string(ep)));
    EXPECT_EQ(h_.count_prefix("spawn"), 0);
    EXPECT_EQ(m_.records_in_use(), 1);
}

TEST_F(RsManager, DownEscalatesToSigkill) {
    endpoint_t ep = up("/bin/hello");
    request(RS_DOWN, nullptr, "hello");
    h_.ticks += RS_DOWN_T + 1;
    m_.tick();
    EXPECT_TRUE(h_.saw("kill " + std::to_string(ep) + " 9"));
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, OK, ep)));
}

TEST_F(RsManager, DownOfCoreOrUnknownServiceIsRefused) {
    EXPECT_EQ(request(RS_DOWN, nullptr, "ds"), -EPERM);
    EXPECT_EQ(request(RS_DOWN, nullptr, "rs"), -EPERM);
    EXPECT_EQ(request(RS_DOWN, nullptr, "nosuch"), -ESRCH);
}

TEST_F(RsManager, RunIsNeverRestarted) {
    rs_start st = make_start("/bin/quiet");
    ASSERT_EQ(request(RS_RUN, &st), -EDONTREPLY);
    endpoint_t ep = h_.next_ep - 1;
    m_.init_reply(ep, OK);
    h_.clear_events();
    m_.signal(ep, SIGSEGV);
    EXPECT_EQ(h_.count_prefix("spawn"), 0);
    EXPECT_TRUE(h_.saw("clear " + std::to_string(ep)));
}

TEST_F(RsManager, RefreshAnswersAtOnceAndRestartsWithoutBackoff) {
    endpoint_t ep = up("/bin/hello");
    m_.signal(ep, SIGSEGV);
    endpoint_t r1 = h_.next_ep - 1;
    m_.init_reply(r1, OK);  // restarts = 1: a crash now would back off
    h_.clear_events();
    EXPECT_EQ(request(RS_REFRESH, nullptr, "hello"), OK);
    EXPECT_TRUE(h_.saw("kill " + std::to_string(r1) + " 15"));
    m_.signal(r1, SIGABRT);
    EXPECT_EQ(h_.count_prefix("spawn"), 1);  // at once
}

TEST_F(RsManager, RestartOfALiveServiceAnswersWhenTheReplicaIsUp) {
    endpoint_t ep = up("/bin/hello");
    EXPECT_EQ(request(RS_RESTART, nullptr, "hello"), -EDONTREPLY);
    EXPECT_TRUE(h_.saw("kill " + std::to_string(ep) + " 9"));
    endpoint_t r = h_.next_ep - 1;
    ASSERT_NE(r, ep);
    EXPECT_EQ(h_.count_prefix("reply " + std::to_string(CLIENT)), 0);
    m_.init_reply(r, OK);
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, OK, r)));
    EXPECT_TRUE(h_.saw("clear " + std::to_string(ep)));
}

TEST_F(RsManager, NonTerminationSignalsBecomeMessages) {
    endpoint_t ep = up("/bin/hello");
    EXPECT_EQ(m_.signal(ep, SIGUSR1), OK);
    EXPECT_TRUE(h_.saw("signal " + std::to_string(ep) + " 10"));
    EXPECT_EQ(m_.signal(ep, SIGKMESS), OK);  // kernel signals: nothing to do
    EXPECT_EQ(h_.count_prefix("spawn"), 0);
}

TEST_F(RsManager, LabelsWaitForDs) {
    Manager m;
    FakeHost h;
    m.init(h, &cfg_, RS_EP);
    ASSERT_EQ(m.adopt_boot("ds", DS_EP), OK);
    ASSERT_EQ(m.adopt_boot("hello", 7), OK);
    m.boot_done();
    EXPECT_TRUE(h.saw("init 6 type=0 restarts=0 old=" + std::to_string(NONE) + " debug=0"));
    // hello's init waits for DS: it may publish in DS only once its label is there.
    EXPECT_EQ(h.count_prefix("init 7"), 0);
    EXPECT_EQ(h.count_prefix("publish"), 0);  // DS is not up: sending to it would deadlock
    m.init_reply(DS_EP, OK);
    EXPECT_TRUE(h.saw("publish rs 2"));
    EXPECT_TRUE(h.saw("publish ds 6"));
    EXPECT_TRUE(h.saw("publish hello 7"));
    EXPECT_EQ(h.count_prefix("init 7"), 1);
    m.init_reply(7, OK);
    EXPECT_NE(m.find_active("hello"), nullptr);
}

TEST_F(RsManager, BootWithoutDsInitializesEverybodyAtOnce) {
    Manager m;
    FakeHost h;
    m.init(h, &cfg_, RS_EP);
    ASSERT_EQ(m.adopt_boot("hello", 7), OK);
    EXPECT_EQ(h.count_prefix("init 7"), 0);
    m.boot_done();
    EXPECT_EQ(h.count_prefix("init 7"), 1);
}

// ---- live update ----

TEST_F(RsManager, UpdateSwapsKeepsTheEndpointAndCleansTheOldImage) {
    endpoint_t ep = up("/bin/hello");
    endpoint_t nv = start_update("hello", 2, 60);
    EXPECT_TRUE(h_.saw("spawn /bin/hello " + std::to_string(nv)));
    EXPECT_FALSE(h_.saw("allow " + std::to_string(nv)));  // created beside it, not run
    EXPECT_TRUE(h_.saw("lu_prepare " + std::to_string(ep) + " state=2 max=60"));
    m_.lu_ready(ep, OK);
    EXPECT_TRUE(h_.saw("vm_update " + std::to_string(ep) + " " + std::to_string(nv)));
    EXPECT_TRUE(h_.saw("allow " + std::to_string(ep)));
    EXPECT_TRUE(h_.saw("init " + std::to_string(ep) +
                       " type=1 restarts=0 old=" + std::to_string(ep) + " debug=0"));
    h_.clear_events();
    m_.init_reply(ep, OK);
    EXPECT_TRUE(h_.saw(reply_to(ep, OK, NONE)));
    EXPECT_TRUE(h_.saw("kill " + std::to_string(nv) + " 9"));  // the old image, now at nv
    EXPECT_TRUE(h_.saw("clear " + std::to_string(nv)));
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, OK, ep)));
    EXPECT_EQ(m_.find_active("hello")->endpoint, ep);
    EXPECT_FALSE(m_.update_state().active);
    EXPECT_EQ(m_.records_in_use(), 2);
}

TEST_F(RsManager, SecondConcurrentUpdateIsBusy) {
    up("/bin/hello");
    up("/bin/quiet");
    start_update("hello");
    rs_start st = make_start("", "quiet");
    st.flags = RSS_SELF;
    st.state = 1;
    EXPECT_EQ(request(RS_UPDATE, &st, nullptr, CLIENT2), -EBUSY);
}

TEST_F(RsManager, UpdateArgumentsAreChecked) {
    up("/bin/hello");
    rs_start st = make_start("", "hello");
    st.state = 0;
    EXPECT_EQ(request(RS_UPDATE, &st), -EINVAL);
    st.state = 1;
    st.maxtime = 1201;
    EXPECT_EQ(request(RS_UPDATE, &st), -EINVAL);
    st.maxtime = 0;
    std::strcpy(st.label, "nosuch");
    EXPECT_EQ(request(RS_UPDATE, &st), -ESRCH);
    std::strcpy(st.label, "rs");
    EXPECT_EQ(request(RS_UPDATE, &st), -EPERM);  // RS does not update itself
}

TEST_F(RsManager, PrepareTimeoutCancelsWithEintr) {
    endpoint_t ep = up("/bin/hello");
    endpoint_t nv = start_update("hello", 1, 30);
    h_.ticks += 30;
    m_.tick();
    EXPECT_EQ(h_.count_prefix("reply " + std::to_string(CLIENT)), 0);
    h_.ticks += 1;
    m_.tick();
    EXPECT_TRUE(h_.saw("lu_prepare " + std::to_string(ep) + " state=0 max=0"));  // cancel
    EXPECT_TRUE(h_.saw("clear " + std::to_string(nv)));
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, -EINTR, ep)));
    EXPECT_FALSE(h_.saw("vm_update " + std::to_string(ep) + " " + std::to_string(nv)));
    EXPECT_EQ(m_.find_active("hello")->endpoint, ep);
    // A late "ready" is answered, so the old version never stays blocked.
    m_.lu_ready(ep, OK);
    EXPECT_TRUE(h_.saw(reply_to(ep, -EINTR, NONE)));
}

TEST_F(RsManager, DefaultMaxtimeIs120Ticks) {
    endpoint_t ep = up("/bin/hello");
    start_update("hello");
    EXPECT_TRUE(h_.saw("lu_prepare " + std::to_string(ep) + " state=1 max=120"));
}

TEST_F(RsManager, NotReadyEndsTheUpdateWithTheServicesError) {
    endpoint_t ep = up("/bin/hello");
    endpoint_t nv = start_update("hello", 5);
    m_.lu_ready(ep, -EINVAL);
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, -EINVAL, ep)));
    EXPECT_TRUE(h_.saw("clear " + std::to_string(nv)));
    EXPECT_FALSE(m_.update_state().active);
}

TEST_F(RsManager, NewVersionInitFailureRollsBack) {
    endpoint_t ep = up("/bin/hello");
    endpoint_t nv = start_update("hello");
    m_.lu_ready(ep, OK);
    h_.clear_events();
    m_.init_reply(ep, -ENOSYS);                        // -y
    EXPECT_TRUE(h_.saw(reply_to(ep, -ENOSYS, NONE)));  // its SEF exits on this answer...
    EXPECT_EQ(h_.count_prefix("vm_update"), 0);
    EXPECT_EQ(m_.signal(ep, SIGABRT), -EDEADSRCDST);  // ...and the kernel reports it
    EXPECT_TRUE(h_.saw("vm_update " + std::to_string(ep) + " " + std::to_string(nv) + " rollback"));
    EXPECT_TRUE(h_.saw(reply_to(ep, -ERESTART, NONE)));  // the old version resumes
    EXPECT_TRUE(h_.saw("clear " + std::to_string(nv)));  // the failed new image
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, -ENOSYS, ep)));
    const Service* s = m_.find_active("hello");
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->endpoint, ep);
    EXPECT_FALSE(s->flags & RS_UPDATING);
    EXPECT_EQ(m_.records_in_use(), 2);
}

TEST_F(RsManager, NewVersionCrashInInitRollsBackWithErestart) {
    endpoint_t ep = up("/bin/hello");
    endpoint_t nv = start_update("hello");
    m_.lu_ready(ep, OK);
    h_.clear_events();
    EXPECT_EQ(m_.signal(ep, SIGSEGV), -EDEADSRCDST);  // -x: the new code crashed
    EXPECT_TRUE(h_.saw("vm_update " + std::to_string(ep) + " " + std::to_string(nv) + " rollback"));
    EXPECT_TRUE(h_.saw(reply_to(ep, -ERESTART, NONE)));
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, -ERESTART, ep)));
    EXPECT_EQ(h_.count_prefix("spawn"), 0);  // no restart: the old version is fine
    EXPECT_EQ(m_.find_active("hello")->endpoint, ep);
}

TEST_F(RsManager, NewVersionHangingInInitTimesOutAndRollsBack) {
    endpoint_t ep = up("/bin/hello");
    endpoint_t nv = start_update("hello", 1, 60);
    m_.lu_ready(ep, OK);
    h_.clear_events();
    h_.ticks += 61;
    m_.tick();
    EXPECT_TRUE(h_.saw("kill " + std::to_string(ep) + " 9"));  // freeze the hung image
    EXPECT_TRUE(h_.saw("vm_update " + std::to_string(ep) + " " + std::to_string(nv) + " rollback"));
    EXPECT_TRUE(h_.saw(reply_to(ep, -ERESTART, NONE)));
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, -EINTR, ep)));
    EXPECT_EQ(m_.signal(nv, SIGKILL), -EDEADSRCDST);  // echo of the kill: ignored
    EXPECT_EQ(m_.find_active("hello")->endpoint, ep);
}

TEST_F(RsManager, OldVersionDyingWhilePreparingEndsTheUpdateAndRecovers) {
    endpoint_t ep = up("/bin/hello");
    endpoint_t nv = start_update("hello");
    m_.signal(ep, SIGSEGV);
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, -ERESTART, ep)));
    EXPECT_TRUE(h_.saw("clear " + std::to_string(nv)));
    endpoint_t r = h_.next_ep - 1;
    EXPECT_NE(r, nv);
    EXPECT_TRUE(h_.saw("init " + std::to_string(r) +
                       " type=2 restarts=1 old=" + std::to_string(ep) + " debug=0"));
}

TEST_F(RsManager, NewVersionFailingAndNeverExitingTimesOutWithItsError) {
    endpoint_t ep = up("/bin/hello");
    endpoint_t nv = start_update("hello", 1, 60);
    m_.lu_ready(ep, OK);
    m_.init_reply(ep, -ENOSYS);
    h_.ticks += 61;
    m_.tick();
    EXPECT_TRUE(h_.saw("vm_update " + std::to_string(ep) + " " + std::to_string(nv) + " rollback"));
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, -ENOSYS, ep)));
}

TEST_F(RsManager, FailedSwapEndsTheUpdate) {
    endpoint_t ep = up("/bin/hello");
    endpoint_t nv = start_update("hello");
    h_.vm_update_error = -EBUSY;
    m_.lu_ready(ep, OK);
    EXPECT_TRUE(h_.saw(reply_to(ep, -EBUSY, NONE)));
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, -EBUSY, ep)));
    EXPECT_TRUE(h_.saw("clear " + std::to_string(nv)));
}

// RS_LU_PREPARE waits until the new version has started (SIGKSTART), so the
// old version does not stop serving while the new image is still loading.
TEST_F(RsManager, UpdatePreparesOnlyOnceTheNewVersionHasStarted) {
    endpoint_t ep = up("/bin/hello");
    h_.start_at_spawn = false;
    endpoint_t nv = start_update("hello", 1, 60);
    EXPECT_TRUE(h_.saw("spawn /bin/hello " + std::to_string(nv)));
    EXPECT_EQ(h_.count_prefix("lu_prepare"), 0);
    EXPECT_TRUE(m_.awaiting_start());
    // A "ready" nobody asked for yet is stale: no swap.
    m_.lu_ready(ep, OK);
    EXPECT_TRUE(h_.saw(reply_to(ep, -EINTR, NONE)));
    EXPECT_EQ(h_.count_prefix("vm_update"), 0);
    // Another process's start: still waiting.
    m_.proc_started();
    EXPECT_EQ(h_.count_prefix("lu_prepare"), 0);
    h_.started_eps[nv] = true;
    m_.proc_started();
    EXPECT_TRUE(h_.saw("lu_prepare " + std::to_string(ep) + " state=1 max=60"));
    EXPECT_FALSE(m_.awaiting_start());
    m_.proc_started();  // a later SIGKSTART changes nothing
    EXPECT_EQ(h_.count_prefix("lu_prepare"), 1);
    m_.lu_ready(ep, OK);
    EXPECT_TRUE(h_.saw("vm_update " + std::to_string(ep) + " " + std::to_string(nv)));
    m_.init_reply(ep, OK);
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, OK, ep)));
}

// No start reported (an arch that loads synchronously never reports one):
// the old version is asked after LU_START_WAIT ticks anyway.
TEST_F(RsManager, UpdatePreparesAfterTheStartWaitWithoutAStart) {
    endpoint_t ep = up("/bin/hello");
    h_.start_at_spawn = false;
    endpoint_t nv = start_update("hello", 1, 60);
    h_.ticks += LU_START_WAIT - 1;
    m_.tick();
    EXPECT_EQ(h_.count_prefix("lu_prepare"), 0);
    h_.ticks += 1;
    m_.tick();
    EXPECT_TRUE(h_.saw("lu_prepare " + std::to_string(ep) + " state=1 max=60"));
    EXPECT_FALSE(m_.awaiting_start());
    m_.tick();
    h_.started_eps[nv] = true;
    m_.proc_started();
    EXPECT_EQ(h_.count_prefix("lu_prepare"), 1);
    m_.lu_ready(ep, OK);
    EXPECT_TRUE(h_.saw("vm_update " + std::to_string(ep) + " " + std::to_string(nv)));
}

// The maximum prepare time still counts from the request: an update whose
// new version never starts within it fails, and nothing is cancelled at the
// old version, which was never asked.
TEST_F(RsManager, PrepareTimeoutBeforeTheStartCancelsNothing) {
    if (LU_START_WAIT < 3) GTEST_SKIP() << "needs LU_START_WAIT >= 3 ticks";
    endpoint_t ep = up("/bin/hello");
    h_.start_at_spawn = false;
    endpoint_t nv = start_update("hello", 1, 1);
    h_.ticks += 2;
    m_.tick();
    EXPECT_EQ(h_.count_prefix("lu_prepare"), 0);
    EXPECT_TRUE(h_.saw("clear " + std::to_string(nv)));
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, -EINTR, ep)));
    EXPECT_FALSE(m_.update_state().active);
    EXPECT_FALSE(m_.awaiting_start());
}

TEST_F(RsManager, NoHeartbeatDuringAnUpdate) {
    endpoint_t ep = up("/bin/hello");
    start_update("hello", 1, 600);
    h_.ticks += 100;
    m_.tick();
    EXPECT_FALSE(h_.saw("ping " + std::to_string(ep)));
}

TEST_F(RsManager, ListReportsEveryRecord) {
    endpoint_t ep = up("/bin/hello");
    rs_list_entry e[8];
    int n = m_.list(e, 8);
    ASSERT_EQ(n, 2);
    EXPECT_STREQ(e[1].label, "hello");
    EXPECT_EQ(e[1].endpoint, ep);
    EXPECT_TRUE(e[1].flags & RS_ACTIVE);
    EXPECT_TRUE(e[0].flags & RS_CORE);
}

TEST_F(RsManager, ShutdownStopsEverythingWithoutRestarts) {
    endpoint_t ep = up("/bin/hello");
    EXPECT_EQ(request(RS_SHUTDOWN, nullptr), OK);
    EXPECT_TRUE(h_.saw("kill " + std::to_string(ep) + " 15"));
    EXPECT_TRUE(h_.saw("kill " + std::to_string(DS_EP) + " 15"));
    m_.signal(ep, SIGABRT);
    EXPECT_EQ(h_.count_prefix("spawn"), 0);
}

}  // namespace
}  // namespace umk::rs
