// RS's policy on a fake Host: start, crash recovery with a frozen
// predecessor and backoff, heartbeats, down/refresh/restart, and every path
// of live update (success, prepare timeout, not ready, init failure, crash
// and hang with rollback, a second update, the old version dying).
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

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
    auto owner = std::make_unique<Manager>();  // big: the table and the state block
    Manager& m = *owner;
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
    auto owner = std::make_unique<Manager>();  // big: the table and the state block
    Manager& m = *owner;
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
    st.maxtime = 1201;
    EXPECT_EQ(request(RS_UPDATE, &st), -EINVAL);  // RS's own update checks the same
    st.maxtime = 0;
    st.state = 0;
    EXPECT_EQ(request(RS_UPDATE, &st), -EINVAL);
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

// ---- RS's live update of itself ----

// Every record as one line (label, endpoint, restarts, flags, period, program).
std::vector<std::string> table_of(const Manager& m) {
    rs_list_entry e[NR_SERVICES];
    int n = m.list(e, NR_SERVICES);
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i)
        out.push_back(std::string(e[i].label) + " " + std::to_string(e[i].endpoint) + " " +
                      std::to_string(e[i].restarts) + " " + std::to_string(e[i].flags) + " " +
                      std::to_string(e[i].period) + " " + e[i].program);
    return out;
}

class RsSelfUpdate : public RsManager {
  protected:
    void SetUp() override {
        RsManager::SetUp();
        // The new instance: its own Manager on its own host, copying from
        // the old instance's grant.
        nh_.peer = &h_;
        nh_.next_ep = 500;  // endpoints the old instance never handed out
        nm_ = std::make_unique<Manager>();
        nm_->init(nh_, &cfg_, RS_EP);
    }

    // `service update self -label rs`: the new instance's endpoint.
    endpoint_t start_self(int debug = RS_DEBUG_NONE, int maxtime = 0) {
        rs_start st = make_start("", "rs");
        st.flags = RSS_SELF;
        st.state = SEF_LU_STATE_REQUEST_FREE;
        st.maxtime = maxtime;
        st.debug = debug;
        EXPECT_EQ(request(RS_UPDATE, &st), -EDONTREPLY);
        return h_.next_ep - 1;
    }

    // What the new instance does once VM swapped: take over (or give up
    // with `forced`). Installed as the old host's VM step.
    void new_instance_takes_over(endpoint_t n, int forced = OK) {
        h_.vm_hook = [this, n, forced](endpoint_t src, endpoint_t dst, bool rollback) {
            EXPECT_EQ(src, RS_EP);
            EXPECT_EQ(dst, n);
            EXPECT_FALSE(rollback);
            taken_over_ = nm_->take_over(n, 7, forced);
            // A swap that holds never returns to the old image; one undone
            // by the new instance returns OK.
            return taken_over_ == OK ? -EDEADSRCDST : OK;
        };
    }

    FakeHost nh_;
    std::unique_ptr<Manager> nm_;
    int taken_over_ = -1;
};

TEST_F(RsSelfUpdate, StateRoundTripKeepsEveryRecordAndItsLinks) {
    endpoint_t hello = up("/bin/hello");
    endpoint_t quiet = up("/bin/quiet");
    // quiet crashes: its replica initializes beside the frozen corpse.
    m_.signal(quiet, SIGSEGV);
    endpoint_t replica = h_.next_ep - 1;
    h_.ticks += 3;
    auto before = table_of(m_);

    auto st = std::make_unique<State>();
    m_.save_state(st.get(), CLIENT, 555);
    EXPECT_EQ(st->magic, STATE_MAGIC);
    EXPECT_EQ(st->requester, CLIENT);
    EXPECT_EQ(st->new_instance, 555);
    ASSERT_EQ(nm_->load_state(*st), OK);
    EXPECT_EQ(table_of(*nm_), before);
    EXPECT_TRUE(nm_->ds_ready());
    EXPECT_EQ(nm_->find_active("hello")->endpoint, hello);
    EXPECT_EQ(nm_->find_active("hello")->period, 10);
    // The replica still knows its dead predecessor: its init clears it.
    nm_->init_reply(replica, OK);
    EXPECT_TRUE(nh_.saw("clear " + std::to_string(quiet)));
    EXPECT_EQ(nm_->find_active("quiet")->restarts, 1);
}

TEST_F(RsSelfUpdate, BadStateBlocksAreRejectedWithoutATrace) {
    up("/bin/hello");
    auto st = std::make_unique<State>();
    m_.save_state(st.get(), CLIENT, 555);
    auto good = table_of(m_);
    auto fresh = table_of(*nm_);
    auto expect_rejected = [&](auto&& spoil) {
        auto bad = std::make_unique<State>(*st);
        spoil(*bad);
        EXPECT_EQ(nm_->load_state(*bad), -EINVAL);
        EXPECT_EQ(table_of(*nm_), fresh);
    };
    expect_rejected([](State& b) { b.magic = 0; });
    expect_rejected([](State& b) { b.version = STATE_VERSION + 1; });
    expect_rejected([](State& b) { b.record_size = 1; });
    expect_rejected([](State& b) { b.self = 99; });
    expect_rejected([](State& b) { std::memset(b.records[1].svc.label, 'x', PROC_NAME_LEN); });
    expect_rejected([](State& b) { b.records[1].prev = NR_SERVICES; });
    expect_rejected([](State& b) { b.records[1].prev = 5; });  // a free record
    expect_rejected([](State& b) { b.records[1].svc.conf.nr_ipc = -1; });
    expect_rejected([](State& b) { b.records[1].svc.flags |= 0x80000000u; });
    ASSERT_EQ(nm_->load_state(*st), OK);
    EXPECT_EQ(table_of(*nm_), good);
}

TEST_F(RsSelfUpdate, StartsTheNewInstanceAsItsSignalManagerWithAGrant) {
    up("/bin/hello");
    endpoint_t n = start_self();
    EXPECT_TRUE(h_.saw("spawn rs " + std::to_string(n)));
    EXPECT_TRUE(h_.saw("set_priv " + std::to_string(n)));
    EXPECT_TRUE(h_.saw("grant " + std::to_string(RS_EP)));  // read by the new RS at RS's endpoint
    EXPECT_TRUE(h_.saw("allow " + std::to_string(n)));
    EXPECT_TRUE(h_.saw("init_self " + std::to_string(n) + " debug=0 grant=7"));
    EXPECT_EQ(h_.granted_len, sizeof(State));
    EXPECT_EQ(h_.count_prefix("vm_update"), 0);  // not before it is ready
    EXPECT_EQ(h_.count_prefix("publish rs"), 0);
    EXPECT_TRUE(m_.self_update_state().active);
    // One update at a time, RS's included.
    rs_start st = make_start("", "hello");
    st.flags = RSS_SELF;
    st.state = 1;
    EXPECT_EQ(request(RS_UPDATE, &st), -EBUSY);
    std::strcpy(st.label, "rs");
    EXPECT_EQ(request(RS_UPDATE, &st), -EBUSY);
}

TEST_F(RsSelfUpdate, SucceedsAndTheNewInstanceCarriesOn) {
    endpoint_t hello = up("/bin/hello");
    endpoint_t tping = up("/bin/test_ping", "tping");  // started after boot
    auto before = table_of(m_);
    endpoint_t n = start_self();
    new_instance_takes_over(n);
    m_.init_reply(n, OK);
    EXPECT_FALSE(h_.saw(reply_to(n, OK, NONE)));  // it SENT its answer: no reply
    EXPECT_TRUE(h_.saw("vm_update 2 " + std::to_string(n)));
    ASSERT_EQ(taken_over_, OK);
    // The new RS read the old one's block, answers the requester and
    // clears the old image (which the swap left at n).
    EXPECT_TRUE(nh_.saw("copy_from " + std::to_string(n) + " 7"));
    EXPECT_TRUE(nh_.saw("clear " + std::to_string(n)));
    EXPECT_TRUE(nh_.saw(reply_to(CLIENT, OK, RS_EP)));
    EXPECT_EQ(table_of(*nm_), before);
    EXPECT_EQ(nm_->find_active("tping")->endpoint, tping);
    EXPECT_FALSE(nm_->self_update_state().active);
    // And it does RS's job: heartbeats, crash recovery, requests.
    nh_.clear_events();
    nh_.ticks = h_.ticks + 20;
    nm_->tick();
    EXPECT_TRUE(nh_.saw("ping " + std::to_string(hello)));
    EXPECT_EQ(nm_->signal(tping, SIGKILL), -EDEADSRCDST);
    endpoint_t replica = nh_.next_ep - 1;
    EXPECT_TRUE(nh_.saw("spawn /bin/test_ping " + std::to_string(replica)));
    nm_->init_reply(replica, OK);
    EXPECT_TRUE(nh_.saw("clear " + std::to_string(tping)));
    Request rq{RS_LOOKUP, CLIENT, nullptr, "rs"};
    endpoint_t ep;
    EXPECT_EQ(nm_->request(rq, &ep), OK);
    EXPECT_EQ(ep, RS_EP);
}

TEST_F(RsSelfUpdate, InitFailureBeforeTheSwapLeavesTheOldInstance) {
    up("/bin/hello");
    auto before = table_of(m_);
    endpoint_t n = start_self();
    m_.init_reply(n, -ENOSYS);
    EXPECT_EQ(h_.count_prefix("vm_update"), 0);
    EXPECT_TRUE(h_.saw("clear " + std::to_string(n)));
    EXPECT_TRUE(h_.saw("revoke 7"));
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, -ENOSYS, RS_EP)));
    EXPECT_FALSE(m_.self_update_state().active);
    EXPECT_EQ(table_of(m_), before);
    start_update("hello");  // the next update may go
}

TEST_F(RsSelfUpdate, NewInstanceCrashingInInitIsCaughtByTheOldOne) {
    endpoint_t n = start_self(RS_DEBUG_INIT_CRASH);
    EXPECT_TRUE(h_.saw("init_self " + std::to_string(n) + " debug=1 grant=7"));
    EXPECT_EQ(m_.signal(n, SIGKSTART), OK);  // not a death
    EXPECT_TRUE(m_.self_update_state().active);
    EXPECT_EQ(m_.signal(n, SIGSEGV), -EDEADSRCDST);
    EXPECT_TRUE(h_.saw("clear " + std::to_string(n)));
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, -ERESTART, RS_EP)));
    EXPECT_FALSE(m_.self_update_state().active);
}

TEST_F(RsSelfUpdate, NewInstanceHangingInInitTimesOut) {
    endpoint_t n = start_self(RS_DEBUG_INIT_TIMEOUT, 30);
    h_.ticks += 30;
    m_.tick();
    EXPECT_TRUE(m_.self_update_state().active);
    h_.ticks += 1;
    m_.tick();
    EXPECT_TRUE(h_.saw("clear " + std::to_string(n)));
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, -EINTR, RS_EP)));
    EXPECT_FALSE(m_.self_update_state().active);
}

TEST_F(RsSelfUpdate, FailureAfterTheSwapSwapsBackAndTheOldInstanceGoesOn) {
    up("/bin/hello");
    auto before = table_of(m_);
    endpoint_t n = start_self(RS_DEBUG_INIT_FAIL);
    new_instance_takes_over(n, -ENOSYS);  // -y: the new instance's init fails
    m_.init_reply(n, OK);
    EXPECT_EQ(taken_over_, -ENOSYS);
    // The new RS wrote why into the old one's block and asked VM to swap back.
    EXPECT_TRUE(nh_.saw("copy_to " + std::to_string(n) + " 7"));
    EXPECT_TRUE(nh_.saw("vm_update 2 " + std::to_string(n) + " rollback"));
    EXPECT_FALSE(nh_.saw(reply_to(CLIENT, OK, RS_EP)));
    EXPECT_FALSE(nh_.saw("clear " + std::to_string(n)));
    // The old RS, back at its endpoint, cleans up and reports the error.
    EXPECT_TRUE(h_.saw("clear " + std::to_string(n)));
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, -ENOSYS, RS_EP)));
    EXPECT_FALSE(m_.self_update_state().active);
    EXPECT_EQ(table_of(m_), before);
    start_update("hello");
}

TEST_F(RsSelfUpdate, UnusableBlockAfterTheSwapSwapsBack) {
    endpoint_t n = start_self();
    h_.vm_hook = [&](endpoint_t, endpoint_t, bool) {
        static_cast<State*>(h_.granted)->version = 99;  // another layout
        taken_over_ = nm_->take_over(n, 7, OK);
        return OK;
    };
    m_.init_reply(n, OK);
    EXPECT_EQ(taken_over_, -EINVAL);
    EXPECT_TRUE(nh_.saw("vm_update 2 " + std::to_string(n) + " rollback"));
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, -EINVAL, RS_EP)));
}

TEST_F(RsSelfUpdate, ForcedFailureWhoseSwapBackFailsKeepsTheNewInstance) {
    up("/bin/hello");
    auto before = table_of(m_);
    endpoint_t n = start_self(RS_DEBUG_INIT_FAIL);
    h_.vm_hook = [&](endpoint_t, endpoint_t, bool) {
        nh_.vm_update_error = -EBUSY;
        taken_over_ = nm_->take_over(n, 7, -ENOSYS);
        return -EDEADSRCDST;
    };
    m_.init_reply(n, OK);
    EXPECT_EQ(taken_over_, OK);  // better a forced failure ignored than no RS
    EXPECT_EQ(table_of(*nm_), before);
    EXPECT_TRUE(nh_.saw(reply_to(CLIENT, OK, RS_EP)));
}

TEST_F(RsSelfUpdate, SwapWaitsUntilTheNewInstanceReceives) {
    endpoint_t n = start_self();
    h_.not_receiving[n] = true;
    m_.init_reply(n, OK);
    EXPECT_EQ(h_.count_prefix("vm_update"), 0);
    EXPECT_TRUE(m_.wants_quick_tick());
    h_.not_receiving[n] = false;
    h_.vm_update_fail_after = 0;  // and the kernel still finds it busy once
    h_.ticks += 1;
    m_.tick();
    EXPECT_EQ(h_.count_prefix("vm_update"), 1);
    EXPECT_TRUE(m_.wants_quick_tick());
    new_instance_takes_over(n);
    h_.ticks += 1;
    m_.tick();
    EXPECT_EQ(taken_over_, OK);
}

TEST_F(RsSelfUpdate, SwapWaitsForNoServiceStartingAndIsRefusedWhileOneIs) {
    rs_start up_st = make_start("/bin/quiet");
    ASSERT_EQ(request(RS_UP, &up_st, nullptr, CLIENT2), -EDONTREPLY);
    endpoint_t starting = h_.next_ep - 1;
    rs_start st = make_start("", "rs");
    st.state = 1;
    EXPECT_EQ(request(RS_UPDATE, &st), -EBUSY);
    m_.init_reply(starting, OK);
    endpoint_t n = start_self(RS_DEBUG_NONE, 60);
    // A service starts while the new RS initializes: the swap waits for it.
    ASSERT_EQ(request(RS_UP, &(up_st = make_start("/bin/hello")), nullptr, CLIENT2), -EDONTREPLY);
    endpoint_t hello = h_.next_ep - 1;
    m_.init_reply(n, OK);
    EXPECT_EQ(h_.count_prefix("vm_update"), 0);
    m_.init_reply(hello, OK);
    new_instance_takes_over(n);
    h_.ticks += RS_DELTA_T;
    m_.tick();
    ASSERT_EQ(taken_over_, OK);
    EXPECT_EQ(nm_->find_active("hello")->endpoint, hello);
}

TEST_F(RsSelfUpdate, NoQuietMomentInTimeEndsTheUpdate) {
    endpoint_t n = start_self(RS_DEBUG_NONE, 30);
    rs_start up_st = make_start("/bin/hello");
    ASSERT_EQ(request(RS_UP, &up_st, nullptr, CLIENT2), -EDONTREPLY);
    m_.init_reply(n, OK);
    h_.ticks += 31;
    m_.tick();
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, -EINTR, RS_EP)));
    EXPECT_EQ(h_.count_prefix("vm_update"), 0);
}

TEST_F(RsSelfUpdate, SwapRefusedByVmEndsTheUpdate) {
    endpoint_t n = start_self();
    h_.vm_update_error = -EPERM;
    m_.init_reply(n, OK);
    EXPECT_TRUE(h_.saw("clear " + std::to_string(n)));
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, -EPERM, RS_EP)));
}

TEST_F(RsSelfUpdate, ShutdownEndsIt) {
    endpoint_t n = start_self();
    EXPECT_EQ(request(RS_SHUTDOWN, nullptr, nullptr, CLIENT2), OK);
    EXPECT_TRUE(h_.saw("clear " + std::to_string(n)));
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, -EINTR, RS_EP)));
}

TEST_F(RsSelfUpdate, SpawnFailureAnswersAtOnce) {
    h_.spawn_error = -ENOENT;
    rs_start st = make_start("/nosuch/rs", "rs");
    st.state = 1;
    EXPECT_EQ(request(RS_UPDATE, &st), -ENOENT);
    EXPECT_FALSE(m_.self_update_state().active);
}

// ---- recovery scripts (service up ... -script S) ----

class RsScript : public RsManager {
  protected:
    // `service up /bin/hello -label h2 -script recover` + its init.
    endpoint_t up_with_script(const char* script = "recover") {
        rs_start st = make_start("/bin/hello", "h2");
        std::strcpy(st.script, script);
        EXPECT_EQ(request(RS_UP, &st), -EDONTREPLY);
        endpoint_t ep = h_.next_ep - 1;
        m_.init_reply(ep, OK);
        h_.clear_events();
        return ep;
    }
    // The script RS started last (the fake hands out endpoints in order).
    endpoint_t crash_and_get_script(endpoint_t ep, int sig = SIGKILL) {
        EXPECT_EQ(m_.signal(ep, sig), -EDEADSRCDST);
        EXPECT_EQ(h_.count_prefix("script "), 1);
        return h_.next_ep - 1;
    }
    bool logged(const std::string& part) const {
        for (const auto& l : h_.logs)
            if (l.find(part) != std::string::npos) return true;
        return false;
    }
};

TEST_F(RsScript, FailureRunsTheScriptInsteadOfARestartAndItsRefreshRestarts) {
    endpoint_t ep = up_with_script();
    endpoint_t script = crash_and_get_script(ep);
    // MINIX's argv: script, label, reason, restarts so far.
    EXPECT_EQ(h_.script_args, (std::vector<std::string>{"recover", "h2", "crashed", "0"}));
    EXPECT_EQ(h_.count_prefix("spawn"), 0);               // RS does not restart it itself
    EXPECT_FALSE(h_.saw("clear " + std::to_string(ep)));  // the dead one stays frozen
    h_.ticks += 4 * RS_SCRIPT_T / 5;  // the script takes its time: still nothing
    m_.tick();
    EXPECT_EQ(h_.count_prefix("spawn"), 0);
    rs_start again = make_start("/bin/hello", "h2");
    EXPECT_EQ(request(RS_UP, &again), -EBUSY);  // the label is not free meanwhile

    EXPECT_EQ(request(RS_REFRESH, nullptr, "h2", script), OK);
    ASSERT_EQ(h_.count_prefix("spawn /bin/hello"), 1);
    endpoint_t replica = h_.next_ep - 1;
    EXPECT_TRUE(h_.saw("init " + std::to_string(replica) +
                       " type=2 restarts=1 old=" + std::to_string(ep) + " debug=0"));
    m_.init_reply(replica, OK);
    EXPECT_TRUE(h_.saw("clear " + std::to_string(ep)));
    EXPECT_EQ(m_.find_active("h2")->endpoint, replica);
    EXPECT_STREQ(m_.find_active("h2")->script, "recover");  // the replica keeps it

    h_.users[script] = false;  // the script exits
    h_.ticks += RS_DELTA_T;
    m_.tick();
    EXPECT_TRUE(h_.saw("reap " + std::to_string(script)));
    EXPECT_EQ(h_.count_prefix("spawn"), 1);  // no second restart
    EXPECT_EQ(m_.script_for("h2"), nullptr);

    // The next failure runs it again, with the count.
    h_.clear_events();
    m_.signal(replica, SIGSEGV);
    EXPECT_EQ(h_.script_args, (std::vector<std::string>{"recover", "h2", "crashed", "1"}));
}

TEST_F(RsScript, MissedHeartbeatIsTheReason) {
    rs_start st = make_start("/bin/hello", "hello");  // period 10 from the conf
    std::strcpy(st.script, "recover");
    EXPECT_EQ(request(RS_UP, &st), -EDONTREPLY);
    endpoint_t ep = h_.next_ep - 1;
    m_.init_reply(ep, OK);
    h_.ticks += 10;
    m_.tick();  // ping
    h_.ticks += 11;
    m_.tick();  // no answer
    EXPECT_TRUE(h_.saw("kill " + std::to_string(ep) + " 9"));
    EXPECT_EQ(h_.script_args, (std::vector<std::string>{"recover", "hello", "no-heartbeat", "0"}));
    EXPECT_EQ(h_.count_prefix("spawn"), 1);  // only the first start
}

TEST_F(RsScript, OnlyTheScriptOfTheLabelMayAskAndOnlyForItsLabel) {
    endpoint_t ep = up_with_script();
    endpoint_t other = up("/bin/quiet");
    endpoint_t script = crash_and_get_script(ep);
    constexpr endpoint_t STRANGER = 777;  // another user process
    h_.user_eps[STRANGER] = true;
    EXPECT_EQ(request(RS_REFRESH, nullptr, "h2", STRANGER), -EPERM);
    EXPECT_EQ(request(RS_LOOKUP, nullptr, "h2", STRANGER), -EPERM);
    EXPECT_TRUE(logged("from user process 777 refused"));
    EXPECT_EQ(request(RS_REFRESH, nullptr, "quiet", script), -EPERM);  // not its label
    EXPECT_EQ(request(RS_LOOKUP, nullptr, "h2", script), -EPERM);      // not a recovery request
    rs_start st = make_start("/bin/hello", "h3");
    EXPECT_EQ(request(RS_UP, &st, nullptr, script), -EPERM);
    EXPECT_TRUE(logged("recovery script " + std::to_string(script) + " of 'h2' may not ask"));
    EXPECT_EQ(h_.count_prefix("spawn"), 0);
    EXPECT_EQ(h_.count_prefix("kill " + std::to_string(other)), 0);
    // A system process (the control proxy) is not restricted.
    EXPECT_EQ(request(RS_LOOKUP, nullptr, "quiet", CLIENT), OK);
    // ...and the script's own request goes through.
    EXPECT_EQ(request(RS_RESTART, nullptr, "h2", script), -EDONTREPLY);
    endpoint_t replica = h_.next_ep - 1;
    m_.init_reply(replica, OK);
    EXPECT_TRUE(h_.saw(reply_to(script, OK, replica)));
}

TEST_F(RsScript, ScriptEndingWithoutRefreshingLeadsToRsRestartAfterTheBackoff) {
    endpoint_t ep = up_with_script();
    endpoint_t s1 = crash_and_get_script(ep);
    EXPECT_EQ(request(RS_REFRESH, nullptr, "h2", s1), OK);  // first failure: refreshed
    endpoint_t r1 = h_.next_ep - 1;
    m_.init_reply(r1, OK);
    h_.users[s1] = false;
    m_.tick();
    h_.clear_events();

    m_.signal(r1, SIGSEGV);  // second failure, restarts 1: backoff 2 periods
    endpoint_t s2 = h_.next_ep - 1;
    EXPECT_EQ(h_.script_args, (std::vector<std::string>{"recover", "h2", "crashed", "1"}));
    h_.users[s2] = false;  // exits without asking anything
    m_.tick();
    EXPECT_TRUE(h_.saw("reap " + std::to_string(s2)));
    EXPECT_TRUE(logged("recovery script of 'h2' ended without restarting it"));
    EXPECT_EQ(h_.count_prefix("spawn"), 0);  // backoff first
    h_.ticks += RS_DELTA_T;
    m_.tick();
    EXPECT_EQ(h_.count_prefix("spawn"), 0);
    h_.ticks += RS_DELTA_T;
    m_.tick();
    ASSERT_EQ(h_.count_prefix("spawn /bin/hello"), 1);
    endpoint_t r2 = h_.next_ep - 1;
    m_.init_reply(r2, OK);
    EXPECT_TRUE(h_.saw("clear " + std::to_string(r1)));
    EXPECT_EQ(m_.find_active("h2")->restarts, 2);
    h_.user_eps[s2] = true;  // its endpoint, as any user process: no script any more
    EXPECT_EQ(request(RS_REFRESH, nullptr, "h2", s2), -EPERM);
}

TEST_F(RsScript, HangingScriptIsKilledAndRsRestartsTheService) {
    endpoint_t ep = up_with_script();
    endpoint_t script = crash_and_get_script(ep);
    h_.ticks += RS_SCRIPT_T + 1;
    m_.tick();
    EXPECT_TRUE(h_.saw("kill " + std::to_string(script) + " 9"));
    EXPECT_EQ(h_.count_prefix("spawn"), 0);
    h_.users[script] = false;  // PM ended it
    m_.tick();
    EXPECT_TRUE(logged("recovery script of 'h2' was killed without restarting it"));
    EXPECT_EQ(h_.count_prefix("spawn /bin/hello"), 1);  // restarts 0: at once
}

TEST_F(RsScript, ScriptThatCannotRunLeavesTheRestartToRs) {
    endpoint_t ep = up_with_script("nope");
    h_.spawn_user_error = -ENOENT;
    EXPECT_EQ(m_.signal(ep, SIGKILL), -EDEADSRCDST);
    EXPECT_TRUE(logged("cannot run the recovery script 'nope' of 'h2'"));
    EXPECT_EQ(h_.count_prefix("spawn /bin/hello"), 1);
}

TEST_F(RsScript, DownWhileTheScriptRunsForgetsTheServiceAndTheScriptIsReaped) {
    endpoint_t ep = up_with_script();
    endpoint_t script = crash_and_get_script(ep);
    EXPECT_EQ(request(RS_DOWN, nullptr, "h2", script), OK);
    EXPECT_TRUE(h_.saw("clear " + std::to_string(ep)));
    EXPECT_EQ(m_.records_in_use(), 1);  // ds
    EXPECT_FALSE(m_.self_update_state().active);
    h_.users[script] = false;
    m_.tick();
    EXPECT_TRUE(h_.saw("reap " + std::to_string(script)));
    EXPECT_EQ(h_.count_prefix("spawn"), 0);
}

}  // namespace
}  // namespace umk::rs
