// RS's requests (servers/rs/request.cc) on a fake Host: up of a running
// label, lookup, down (and its SIGKILL escalation), run, refresh, restart,
// list and shutdown.
#include <gtest/gtest.h>

#include <string>

#include "rs_manager_fixture.h"
#include "umk/sig.h"
#include "umklib/rs_proto.h"
#include "umklib/sef.h"

namespace umk::rs {
namespace {

using namespace testing;  // RsManager, its endpoints and FakeHost (rs_manager_fixture.h)

TEST_F(RsManager, UpOfARunningLabelIsBusyAndLookupOfUnknownIsEsrch) {
    up("/bin/hello");
    rs_start st = make_start("/bin/hello");
    EXPECT_EQ(request(RS_UP, &st), -EBUSY);
    EXPECT_EQ(request(RS_LOOKUP, nullptr, "nosuch"), -ESRCH);
    EXPECT_EQ(request(RS_LOOKUP, nullptr, "rs"), OK);
    EXPECT_EQ(last_ep_, RS_EP);
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

TEST_F(RsManager, ListReportsRsItselfFirstThenEveryRecord) {
    endpoint_t ep = up("/bin/hello");
    rs_list_entry e[8];
    int n = m_.list(e, 8);
    ASSERT_EQ(n, 3);
    // RS is not in its own table: its row comes from what it knows of itself.
    EXPECT_STREQ(e[0].label, "rs");
    EXPECT_EQ(e[0].endpoint, RS_EP);
    EXPECT_EQ(e[0].flags, RS_IN_USE | RS_ACTIVE | RS_CORE | RS_BOOT);
    EXPECT_EQ(e[0].policy, conf::POLICY_RESTART);
    EXPECT_STREQ(e[0].program, "rs");
    EXPECT_STREQ(e[1].label, "ds");
    EXPECT_TRUE(e[1].flags & RS_CORE);
    EXPECT_EQ(e[1].policy, conf::POLICY_RESTART);  // a fixed slot (DS_PROC_NR)
    EXPECT_STREQ(e[2].label, "hello");
    EXPECT_EQ(e[2].endpoint, ep);
    EXPECT_TRUE(e[2].flags & RS_ACTIVE);
    EXPECT_EQ(e[2].policy, conf::POLICY_RESET);  // no policy line
    // Bounded by the caller's room, RS's row first.
    EXPECT_EQ(m_.list(e, 1), 1);
    EXPECT_STREQ(e[0].label, "rs");
    EXPECT_EQ(m_.list(e, 0), 0);
}

TEST_F(RsManager, ListShowsAPolicyFromTheRequest) {
    rs_start st = make_start("/bin/hello");
    st.policy = conf::POLICY_RESTART;
    ASSERT_EQ(request(RS_UP, &st), -EDONTREPLY);
    m_.init_reply(h_.next_ep - 1, OK);
    rs_list_entry e[8];
    ASSERT_EQ(m_.list(e, 8), 3);
    EXPECT_EQ(e[2].policy, conf::POLICY_RESTART);
    st = make_start("/bin/quiet");
    st.policy = 7;
    EXPECT_EQ(request(RS_UP, &st), -EINVAL);
    EXPECT_EQ(m_.records_in_use(), 2);
}

TEST_F(RsManager, FaultInjectionTellsTheServiceToCrash) {
    endpoint_t ep = up("/bin/hello");
    EXPECT_EQ(request(RS_FI, nullptr, "hello"), OK);
    EXPECT_EQ(h_.last(), "fi " + std::to_string(ep));
    // The crash that follows is an ordinary one: restarted (reset: new endpoint).
    EXPECT_EQ(m_.signal(ep, SIGSEGV), -EDEADSRCDST);
    EXPECT_EQ(h_.count_prefix("spawn /bin/hello"), 1);
    EXPECT_EQ(request(RS_FI, nullptr, "hello"), -EBUSY);  // its replica is initializing
    EXPECT_EQ(request(RS_FI, nullptr, "nosuch"), -ESRCH);
    EXPECT_EQ(request(RS_FI, nullptr, ""), -EINVAL);
    EXPECT_FALSE(m_.crash_requested());
}

TEST_F(RsManager, FaultInjectionNeedsManageServices) {
    up("/bin/hello");
    h_.authority_of[CLIENT2] = 0;
    EXPECT_EQ(request(RS_FI, nullptr, "hello", CLIENT2), -EPERM);
    EXPECT_EQ(h_.count_prefix("fi "), 0);
    EXPECT_EQ(request(RS_FI, nullptr, "rs", CLIENT2), -EPERM);
    EXPECT_FALSE(m_.crash_requested());
}

TEST_F(RsManager, FaultInjectionInRsCrashesRsAfterTheAnswer) {
    EXPECT_EQ(request(RS_FI, nullptr, "rs"), OK);
    EXPECT_TRUE(m_.crash_requested());
    EXPECT_EQ(h_.count_prefix("fi "), 0);
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
