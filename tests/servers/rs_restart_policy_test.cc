// Restart policies (servers/rs/recovery.cc, MINIX 3.4) on a fake Host:
// under `restart` the replica takes over the dead instance's endpoint
// (SYS_UPD_RESTART) and gets its state grant; a replica that fails, crashes
// or hangs is swapped back (SYS_UPD_ROLLBACK), so the next one takes over
// from the same dead image; a service at a fixed slot always restarts in
// place; the restart count decays.
#include <gtest/gtest.h>

#include <string>

#include "rs_manager_fixture.h"
#include "umk/sig.h"
#include "umklib/rs_proto.h"
#include "umklib/sef.h"

namespace umk::rs {
namespace {

using namespace testing;  // RsManager, its endpoints and FakeHost (rs_manager_fixture.h)

constexpr int kGrant = 33;  // the state grant `keeper` reports in its RS_INIT answer

std::string s(endpoint_t e) {
    return std::to_string(e);
}

class RsPolicy : public RsManager {
  protected:
    // `keeper` (system.conf: policy restart), up with a state grant.
    endpoint_t up_keeper() {
        rs_start st = make_start("/bin/keeper");
        EXPECT_EQ(request(RS_UP, &st), -EDONTREPLY);
        endpoint_t ep = h_.next_ep - 1;
        m_.init_reply(ep, OK, kGrant);
        EXPECT_TRUE(h_.saw(reply_to(CLIENT, OK, ep)));
        h_.clear_events();
        return ep;
    }
    // The replica's former endpoint, i.e. where the dead image waits now.
    endpoint_t spare() const { return h_.next_ep - 1; }
};

TEST_F(RsPolicy, ReplicaTakesOverTheDeadEndpointWithItsStateGrant) {
    endpoint_t ep = up_keeper();
    EXPECT_EQ(m_.signal(ep, SIGSEGV), -EDEADSRCDST);  // frozen: no ENDKSIG
    endpoint_t sp = spare();
    ASSERT_NE(sp, ep);
    // Privileges before the swap, allowed only at the endpoint it took over.
    EXPECT_EQ(h_.events[0], "spawn /bin/keeper " + s(sp));
    EXPECT_EQ(h_.events[1], "set_priv " + s(sp));
    EXPECT_EQ(h_.events[2], "update " + s(ep) + " " + s(sp) + " restart");
    EXPECT_EQ(h_.events[3], "allow " + s(ep));
    EXPECT_EQ(h_.events[4], "init " + s(ep) + " type=2 restarts=1 old=" + s(ep) + " debug=0");
    EXPECT_EQ(h_.init_prev[ep], std::make_pair(sp, kGrant));  // where the dead image is, its grant
    EXPECT_FALSE(h_.saw("allow " + s(sp)));
    EXPECT_EQ(h_.count_prefix("publish"), 0);  // the label names ep already
    EXPECT_EQ(h_.count_prefix("clear"), 0);    // the dead image waits for the replica's init
    // The records follow the images: the replica at ep, the dead one at sp.
    ASSERT_NE(m_.by_endpoint(ep), nullptr);
    EXPECT_TRUE(m_.by_endpoint(ep)->flags & RS_INITIALIZING);
    EXPECT_TRUE(m_.by_endpoint(ep)->took_over);
    ASSERT_NE(m_.by_endpoint(sp), nullptr);
    EXPECT_TRUE(m_.by_endpoint(sp)->flags & RS_TERMINATED);
    EXPECT_EQ(m_.by_endpoint(ep)->prev, m_.by_endpoint(sp));

    m_.init_reply(ep, OK, kGrant + 1);
    EXPECT_TRUE(h_.saw("reply " + s(ep) + " r=0 ep=" + s(NONE)));
    EXPECT_TRUE(h_.saw("clear " + s(sp)));  // only now
    const Service* k = m_.find_active("keeper");
    ASSERT_NE(k, nullptr);
    EXPECT_EQ(k->endpoint, ep);
    EXPECT_EQ(k->restarts, 1);
    EXPECT_EQ(k->state_grant, kGrant + 1);
    EXPECT_EQ(k->prev, nullptr);
    EXPECT_FALSE(k->took_over);
    EXPECT_EQ(m_.by_endpoint(sp), nullptr);
    EXPECT_EQ(m_.records_in_use(), 2);  // ds, keeper
}

TEST_F(RsPolicy, AFailedReplicaIsSwappedBackAndTheNextTakesOverFromTheSameDeadImage) {
    endpoint_t ep = up_keeper();
    m_.signal(ep, SIGSEGV);
    endpoint_t sp1 = spare();
    h_.clear_events();
    m_.init_reply(ep, -ENOSYS);  // e.g. no init_restart callback
    EXPECT_EQ(h_.events.at(0), "kill " + s(ep) + " 9");
    EXPECT_TRUE(h_.saw("update " + s(ep) + " " + s(sp1) + " rollback"));
    EXPECT_TRUE(h_.saw("clear " + s(sp1)));  // the failed replica, back at its own endpoint
    EXPECT_FALSE(h_.saw("clear " + s(ep)));  // the dead image: queued callers stay with it
    // The dead instance is at its endpoint again, with the restart counted.
    const Service* dead = m_.by_endpoint(ep);
    ASSERT_NE(dead, nullptr);
    EXPECT_TRUE(dead->flags & RS_TERMINATED);
    EXPECT_TRUE(dead->restart_pending);
    EXPECT_EQ(dead->restarts, 1);
    EXPECT_EQ(dead->state_grant, kGrant);
    EXPECT_EQ(m_.by_endpoint(sp1), nullptr);
    EXPECT_EQ(m_.records_in_use(), 2);
    // The kernel's echo of RS's kill names ep, now the dead record: ignored.
    EXPECT_EQ(m_.signal(ep, SIGKILL), -EDEADSRCDST);
    EXPECT_EQ(h_.count_prefix("spawn"), 0);

    h_.ticks += backoff_periods(1) * RS_DELTA_T;
    h_.clear_events();
    m_.tick();
    endpoint_t sp2 = spare();
    EXPECT_TRUE(h_.saw("update " + s(ep) + " " + s(sp2) + " restart"));
    EXPECT_TRUE(h_.saw("init " + s(ep) + " type=2 restarts=2 old=" + s(ep) + " debug=0"));
    EXPECT_EQ(h_.init_prev[ep], std::make_pair(sp2, kGrant));  // the first dead image's grant
    m_.init_reply(ep, OK);
    EXPECT_TRUE(h_.saw("clear " + s(sp2)));
    ASSERT_NE(m_.find_active("keeper"), nullptr);
    EXPECT_EQ(m_.find_active("keeper")->endpoint, ep);
    EXPECT_EQ(m_.find_active("keeper")->restarts, 2);
    EXPECT_EQ(m_.records_in_use(), 2);
}

TEST_F(RsPolicy, AReplicaCrashingInItsInitIsSwappedBack) {
    endpoint_t ep = up_keeper();
    m_.signal(ep, SIGKILL);
    endpoint_t sp = spare();
    h_.clear_events();
    EXPECT_EQ(m_.signal(ep, SIGSEGV), -EDEADSRCDST);  // the replica, at ep
    EXPECT_TRUE(h_.saw("update " + s(ep) + " " + s(sp) + " rollback"));
    EXPECT_TRUE(h_.saw("clear " + s(sp)));
    EXPECT_TRUE(m_.by_endpoint(ep)->restart_pending);
    EXPECT_EQ(m_.records_in_use(), 2);
}

TEST_F(RsPolicy, AReplicaHangingInItsInitIsKilledAndSwappedBack) {
    endpoint_t ep = up_keeper();
    m_.signal(ep, SIGKILL);
    endpoint_t sp = spare();
    h_.clear_events();
    h_.ticks += RS_INIT_T + 1;
    m_.tick();
    EXPECT_EQ(h_.events.at(0), "kill " + s(ep) + " 9");
    EXPECT_TRUE(h_.saw("update " + s(ep) + " " + s(sp) + " rollback"));
    EXPECT_TRUE(h_.saw("clear " + s(sp)));
    EXPECT_EQ(m_.by_endpoint(ep)->init_error, -EINTR);
    EXPECT_TRUE(m_.by_endpoint(ep)->restart_pending);
}

TEST_F(RsPolicy, RestartRequestIsAnsweredWithTheReplicasErrorAndRsGoesOnTrying) {
    endpoint_t ep = up_keeper();
    EXPECT_EQ(request(RS_RESTART, nullptr, "keeper"), -EDONTREPLY);
    EXPECT_TRUE(h_.saw("kill " + s(ep) + " 9"));
    EXPECT_TRUE(h_.saw("update " + s(ep) + " " + s(spare()) + " restart"));
    EXPECT_EQ(h_.count_prefix("reply " + s(CLIENT)), 0);
    m_.init_reply(ep, -ENOSYS);
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, -ENOSYS, ep)));  // not left hanging
    h_.ticks += backoff_periods(1) * RS_DELTA_T;
    m_.tick();
    m_.init_reply(ep, OK);
    EXPECT_EQ(h_.count_prefix("reply " + s(CLIENT)), 1);  // answered once
    EXPECT_EQ(m_.find_active("keeper")->endpoint, ep);
}

TEST_F(RsPolicy, RestartOfALiveServiceAnswersWhenTheReplicaServesAtTheSameEndpoint) {
    endpoint_t ep = up_keeper();
    EXPECT_EQ(request(RS_RESTART, nullptr, "keeper"), -EDONTREPLY);
    endpoint_t sp = spare();
    m_.init_reply(ep, OK);
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, OK, ep)));
    EXPECT_TRUE(h_.saw("clear " + s(sp)));
}

TEST_F(RsPolicy, ASwapTheKernelRefusesIsRetriedAfterTheBackoff) {
    endpoint_t ep = up_keeper();
    h_.update_fail_after = 0;
    m_.signal(ep, SIGSEGV);
    endpoint_t sp = spare();
    EXPECT_TRUE(h_.saw("clear " + s(sp)));  // the replica that could not take over
    EXPECT_FALSE(h_.saw("allow " + s(ep)));
    const Service* dead = m_.by_endpoint(ep);
    ASSERT_NE(dead, nullptr);
    EXPECT_TRUE(dead->restart_pending);
    EXPECT_EQ(m_.records_in_use(), 2);
    h_.ticks += backoff_periods(1) * RS_DELTA_T;
    m_.tick();
    EXPECT_TRUE(h_.saw("update " + s(ep) + " " + s(spare()) + " restart"));
    m_.init_reply(ep, OK);
    EXPECT_EQ(m_.find_active("keeper")->endpoint, ep);
}

TEST_F(RsPolicy, ASwapBackTheKernelRefusesLeavesTheFailedReplicaAsTheDeadInstance) {
    endpoint_t ep = up_keeper();
    m_.signal(ep, SIGSEGV);
    endpoint_t sp = spare();
    h_.update_fail_after = 1;  // the rollback
    h_.clear_events();
    m_.init_reply(ep, -ENOSYS);
    EXPECT_TRUE(h_.saw("update " + s(ep) + " " + s(sp) + " rollback"));
    EXPECT_TRUE(h_.saw("clear " + s(sp)));  // the older image goes; its state is lost
    const Service* dead = m_.by_endpoint(ep);
    ASSERT_NE(dead, nullptr);
    EXPECT_TRUE(dead->flags & RS_TERMINATED);
    EXPECT_FALSE(dead->took_over);
    EXPECT_EQ(dead->prev, nullptr);
    EXPECT_EQ(m_.records_in_use(), 2);
    h_.ticks += backoff_periods(1) * RS_DELTA_T;
    m_.tick();
    endpoint_t sp2 = spare();
    EXPECT_TRUE(h_.saw("update " + s(ep) + " " + s(sp2) + " restart"));
    EXPECT_EQ(h_.init_prev[ep], std::make_pair(sp2, -1));
    m_.init_reply(ep, OK);
    EXPECT_TRUE(h_.saw("clear " + s(sp2)));
    EXPECT_EQ(m_.find_active("keeper")->endpoint, ep);
}

TEST_F(RsPolicy, ResetPolicyStillGivesANewEndpointAndNoGrant) {
    rs_start st = make_start("/bin/keeper");
    st.policy = conf::POLICY_RESET;  // -policy reset beats system.conf's restart
    ASSERT_EQ(request(RS_UP, &st), -EDONTREPLY);
    endpoint_t ep = h_.next_ep - 1;
    m_.init_reply(ep, OK, kGrant);
    m_.signal(ep, SIGSEGV);
    endpoint_t r = h_.next_ep - 1;
    EXPECT_EQ(h_.count_prefix("update"), 0);
    EXPECT_TRUE(h_.saw("allow " + s(r)));
    EXPECT_TRUE(h_.saw("publish keeper " + s(r)));
    EXPECT_EQ(h_.init_prev[r], std::make_pair(NONE, -1));
}

TEST_F(RsPolicy, PolicyFromTheRequestMakesAnyServiceRestartInPlace) {
    rs_start st = make_start("/bin/hello");
    st.policy = conf::POLICY_RESTART;
    ASSERT_EQ(request(RS_UP, &st), -EDONTREPLY);
    endpoint_t ep = h_.next_ep - 1;
    m_.init_reply(ep, OK);
    m_.signal(ep, SIGSEGV);
    EXPECT_TRUE(h_.saw("update " + s(ep) + " " + s(spare()) + " restart"));
    m_.init_reply(ep, OK);
    EXPECT_EQ(m_.find_active("hello")->endpoint, ep);
    // A new version inherits the policy (it is kept in the record's entry).
    EXPECT_EQ(m_.find_active("hello")->conf.policy, conf::POLICY_RESTART);
}

TEST_F(RsPolicy, AFixedSlotServiceIsRestartedInPlaceWhateverItsPolicy) {
    // DS (no policy line in the fixture's system.conf) sits at DS_PROC_NR.
    EXPECT_EQ(m_.signal(DS_EP, SIGSEGV), -EDEADSRCDST);
    endpoint_t sp = spare();
    EXPECT_TRUE(h_.saw("update " + s(DS_EP) + " " + s(sp) + " restart"));
    EXPECT_TRUE(h_.saw("init " + s(DS_EP) + " type=2 restarts=1 old=" + s(DS_EP) + " debug=0"));
    bool logged = false;
    for (const auto& l : h_.logs) logged |= l.find("fixed slot") != std::string::npos;
    EXPECT_TRUE(logged);
    // RS calls DS for nothing while DS is down (it would wait for ever).
    EXPECT_FALSE(m_.ds_ready());
    rs_start st = make_start("/bin/hello");
    ASSERT_EQ(request(RS_UP, &st), -EDONTREPLY);
    EXPECT_EQ(h_.count_prefix("publish"), 0);
    endpoint_t hello = h_.next_ep - 1;
    m_.init_reply(hello, OK);
    // DS back: every label published again, RS's too.
    m_.init_reply(DS_EP, OK);
    EXPECT_TRUE(m_.ds_ready());
    EXPECT_TRUE(h_.saw("clear " + s(sp)));
    EXPECT_TRUE(h_.saw("publish rs " + s(RS_EP)));
    EXPECT_TRUE(h_.saw("publish ds " + s(DS_EP)));
    EXPECT_TRUE(h_.saw("publish hello " + s(hello)));
    EXPECT_EQ(m_.find_active("ds")->endpoint, DS_EP);
}

TEST_F(RsPolicy, TheRestartCountDecaysAfterBeingUpWithoutACrash) {
    endpoint_t ep = up("/bin/quiet");
    m_.signal(ep, SIGSEGV);
    endpoint_t r1 = h_.next_ep - 1;
    m_.init_reply(r1, OK);
    m_.signal(r1, SIGSEGV);  // second crash: backoff
    h_.ticks += backoff_periods(1) * RS_DELTA_T;
    m_.tick();
    endpoint_t r2 = h_.next_ep - 1;
    m_.init_reply(r2, OK);
    ASSERT_EQ(m_.find_active("quiet")->restarts, 2);
    h_.ticks += RS_BACKOFF_RESET - 1;
    m_.tick();
    EXPECT_EQ(m_.find_active("quiet")->restarts, 2);
    h_.ticks += 1;
    m_.tick();
    EXPECT_EQ(m_.find_active("quiet")->restarts, 0);
    // The next crash is a first one again: restarted at once.
    h_.clear_events();
    m_.signal(r2, SIGSEGV);
    EXPECT_EQ(h_.count_prefix("spawn"), 1);
    m_.init_reply(h_.next_ep - 1, OK);
    EXPECT_EQ(m_.find_active("quiet")->restarts, 1);
}

TEST_F(RsPolicy, TheBackoffStaysCappedWithoutADecay) {
    endpoint_t ep = up("/bin/quiet");
    for (int i = 0; i < 8; ++i) {
        m_.signal(ep, SIGSEGV);
        h_.ticks += MAX_BACKOFF * RS_DELTA_T;
        m_.tick();
        ep = h_.next_ep - 1;
        m_.init_reply(ep, OK);
    }
    EXPECT_EQ(m_.find_active("quiet")->restarts, 8);
    EXPECT_EQ(backoff_periods(8), MAX_BACKOFF);
}

TEST_F(RsPolicy, TheStateBlockKeepsAReplicaThatTookOverAndItsDeadImage) {
    endpoint_t ep = up_keeper();
    m_.signal(ep, SIGSEGV);
    endpoint_t sp = spare();
    auto st = std::make_unique<State>();
    m_.save_state(st.get(), CLIENT, 555);
    Manager other;
    FakeHost oh;
    other.init(oh, &cfg_, RS_EP);
    ASSERT_EQ(other.load_state(*st), OK);
    ASSERT_NE(other.by_endpoint(ep), nullptr);
    EXPECT_TRUE(other.by_endpoint(ep)->took_over);
    EXPECT_EQ(other.by_endpoint(ep)->prev, other.by_endpoint(sp));
    // Its failure swaps back in the other instance just the same.
    other.init_reply(ep, -ENOSYS);
    EXPECT_TRUE(oh.saw("update " + s(ep) + " " + s(sp) + " rollback"));
    EXPECT_EQ(other.by_endpoint(ep)->state_grant, kGrant);
    // A replica that took over without a predecessor is refused.
    for (StateRecord& rec : st->records)
        if (rec.svc.took_over) rec.prev = -1;
    Manager third;
    FakeHost th;
    third.init(th, &cfg_, RS_EP);
    EXPECT_EQ(third.load_state(*st), -EINVAL);
}

}  // namespace
}  // namespace umk::rs
