// RS's live update of itself (servers/rs/self_update.cc) on fake Hosts:
// the state block, the new instance as a second Manager taking over, and
// every failure before and after the swap.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "rs_manager_fixture.h"
#include "umk/sig.h"
#include "umklib/rs_proto.h"
#include "umklib/sef.h"

namespace umk::rs {
namespace {

using namespace testing;  // RsManager, its endpoints and FakeHost (rs_manager_fixture.h)

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
    expect_rejected([](State& b) { b.records[1].svc.conf.policy = 9; });
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

}  // namespace
}  // namespace umk::rs
