// Live update of a service (servers/rs/update.cc) on a fake Host: every
// path (success, prepare timeout, not ready, init failure, crash and hang
// with rollback, a second update, the old version dying, a failed swap,
// the wait for the new version's start) and no heartbeat meanwhile.
#include <gtest/gtest.h>

#include <string>

#include "rs_manager_fixture.h"
#include "umk/sig.h"
#include "umklib/rs_proto.h"
#include "umklib/sef.h"

namespace umk::rs {
namespace {

using namespace testing;  // RsManager, its endpoints and FakeHost (rs_manager_fixture.h)

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

// The old version killed after the swap (frozen in its ready SENDREC at
// the new version's endpoint, e.g. a host kill -9): the update is rolled
// back at once, the requester answered, and the service restarted like any
// crash instead of being left dead behind its endpoint.
TEST_F(RsManager, OldVersionKilledAfterTheSwapRollsBackAndIsRestarted) {
    endpoint_t ep = up("/bin/hello");
    endpoint_t nv = start_update("hello", 1, 60);
    m_.lu_ready(ep, OK);
    h_.clear_events();
    EXPECT_EQ(m_.signal(nv, SIGKILL), -EDEADSRCDST);
    EXPECT_TRUE(h_.saw("kill " + std::to_string(ep) + " 9"));  // the new image, frozen
    EXPECT_TRUE(h_.saw("vm_update " + std::to_string(ep) + " " + std::to_string(nv) + " rollback"));
    EXPECT_TRUE(h_.saw("clear " + std::to_string(nv)));   // the new image, swapped back
    EXPECT_FALSE(h_.saw(reply_to(ep, -ERESTART, NONE)));  // the old one is dead
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, -ERESTART, ep)));
    endpoint_t r = h_.next_ep - 1;
    EXPECT_TRUE(h_.saw("init " + std::to_string(r) +
                       " type=2 restarts=1 old=" + std::to_string(ep) + " debug=0"));
    m_.init_reply(r, OK);
    EXPECT_TRUE(h_.saw("clear " + std::to_string(ep)));  // the dead image, once the replica is up
    EXPECT_EQ(m_.find_active("hello")->endpoint, r);
    EXPECT_FALSE(m_.update_state().active);
    EXPECT_EQ(m_.records_in_use(), 2);
    // The late init answer of the killed new image finds nothing.
    m_.init_reply(nv, OK);
    EXPECT_TRUE(h_.saw(reply_to(nv, -EINVAL, NONE)));
}

// Same, but the swap back fails: the service is still restarted.
TEST_F(RsManager, OldVersionKilledAfterTheSwapIsRestartedEvenIfTheSwapBackFails) {
    endpoint_t ep = up("/bin/hello");
    endpoint_t nv = start_update("hello", 1, 60);
    m_.lu_ready(ep, OK);
    h_.vm_update_error = -EINVAL;
    h_.clear_events();
    EXPECT_EQ(m_.signal(nv, SIGKILL), -EDEADSRCDST);
    EXPECT_EQ(
        h_.count_prefix("reply " + std::to_string(CLIENT) + " r=" + std::to_string(-ERESTART)), 1);
    EXPECT_TRUE(h_.saw("clear " + std::to_string(ep)));  // the new image, at hello's endpoint
    endpoint_t r = h_.next_ep - 1;
    EXPECT_TRUE(h_.saw("init " + std::to_string(r) +
                       " type=2 restarts=1 old=" + std::to_string(nv) + " debug=0"));
    m_.init_reply(r, OK);
    EXPECT_EQ(m_.find_active("hello")->endpoint, r);
    EXPECT_EQ(m_.records_in_use(), 2);
}

// A new version the update's own rollback cannot swap back while it is
// alive: the old version (stuck at the other endpoint) is killed and the
// service restarted.
TEST_F(RsManager, FailedRollbackOfALiveOldVersionRestartsTheService) {
    endpoint_t ep = up("/bin/hello");
    endpoint_t nv = start_update("hello", 1, 60);
    m_.lu_ready(ep, OK);
    h_.vm_update_error = -EINVAL;
    h_.clear_events();
    h_.ticks += 61;
    m_.tick();
    EXPECT_TRUE(h_.saw("kill " + std::to_string(nv) + " 9"));  // the old image, stuck
    EXPECT_EQ(h_.count_prefix("reply " + std::to_string(CLIENT) + " r=" + std::to_string(-EINTR)),
              1);
    endpoint_t r = h_.next_ep - 1;
    EXPECT_TRUE(h_.saw("init " + std::to_string(r) +
                       " type=2 restarts=1 old=" + std::to_string(nv) + " debug=0"));
    m_.init_reply(r, OK);
    EXPECT_EQ(m_.find_active("hello")->endpoint, r);
    EXPECT_EQ(m_.records_in_use(), 2);
}

TEST_F(RsManager, NewVersionKilledBeforeTheSwapEndsTheUpdate) {
    endpoint_t ep = up("/bin/hello");
    endpoint_t nv = start_update("hello");
    EXPECT_EQ(m_.signal(nv, SIGKILL), -EDEADSRCDST);
    EXPECT_TRUE(h_.saw("lu_prepare " + std::to_string(ep) + " state=0 max=0"));  // cancelled
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, -ERESTART, ep)));
    EXPECT_EQ(m_.find_active("hello")->endpoint, ep);
    EXPECT_FALSE(m_.find_active("hello")->flags & RS_UPDATING);
    EXPECT_EQ(m_.records_in_use(), 2);
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

// A swap the kernel refuses (EBUSY: not at a safe point this instant) is
// tried once more at the next tick; refused again, the update ends.
TEST_F(RsManager, FailedSwapEndsTheUpdate) {
    endpoint_t ep = up("/bin/hello");
    endpoint_t nv = start_update("hello");
    h_.vm_update_error = -EBUSY;
    m_.lu_ready(ep, OK);
    EXPECT_FALSE(h_.saw(reply_to(ep, -EBUSY, NONE)));  // not yet: retried
    EXPECT_EQ(h_.count_prefix("vm_update"), 1);
    m_.tick();
    EXPECT_EQ(h_.count_prefix("vm_update"), 2);
    EXPECT_TRUE(h_.saw(reply_to(ep, -EBUSY, NONE)));
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, -EBUSY, ep)));
    EXPECT_TRUE(h_.saw("clear " + std::to_string(nv)));
}

TEST_F(RsManager, ASwapRefusedOnceIsRetriedAtTheNextTick) {
    endpoint_t ep = up("/bin/hello");
    endpoint_t nv = start_update("hello");
    h_.vm_update_fail_after = 0;  // the first try only
    m_.lu_ready(ep, OK);
    EXPECT_EQ(h_.count_prefix("allow"), 0);
    m_.tick();
    EXPECT_TRUE(h_.saw("vm_update " + std::to_string(ep) + " " + std::to_string(nv)));
    EXPECT_TRUE(h_.saw("allow " + std::to_string(ep)));
    m_.init_reply(ep, OK);
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, OK, ep)));
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

}  // namespace
}  // namespace umk::rs
