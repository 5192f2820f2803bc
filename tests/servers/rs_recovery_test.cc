// Death and recovery (servers/rs/recovery.cc) on a fake Host: the backoff,
// a crash keeping the dead instance frozen until its replica initialized,
// repeated crashes, a failing replica, a missed heartbeat, an init timeout,
// and signals that are not terminations.
#include <gtest/gtest.h>

#include <string>

#include "rs_manager_fixture.h"
#include "umk/sig.h"
#include "umklib/rs_proto.h"
#include "umklib/sef.h"

namespace umk::rs {
namespace {

using namespace testing;  // RsManager, its endpoints and FakeHost (rs_manager_fixture.h)

TEST(RsBackoff, DoublesUpToThirtyPeriods) {
    EXPECT_EQ(backoff_periods(0), 0);
    EXPECT_EQ(backoff_periods(1), 2);
    EXPECT_EQ(backoff_periods(2), 4);
    EXPECT_EQ(backoff_periods(3), 8);
    EXPECT_EQ(backoff_periods(4), 16);
    EXPECT_EQ(backoff_periods(5), 30);
    EXPECT_EQ(backoff_periods(100), 30);
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

TEST_F(RsManager, NonTerminationSignalsBecomeMessages) {
    endpoint_t ep = up("/bin/hello");
    EXPECT_EQ(m_.signal(ep, SIGUSR1), OK);
    EXPECT_TRUE(h_.saw("signal " + std::to_string(ep) + " 10"));
    EXPECT_EQ(m_.signal(ep, SIGKMESS), OK);  // kernel signals: nothing to do
    EXPECT_EQ(h_.count_prefix("spawn"), 0);
}

}  // namespace
}  // namespace umk::rs
