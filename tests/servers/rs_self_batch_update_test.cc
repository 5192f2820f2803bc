// A multi-component live update that includes RS (servers/rs/update.cc
// with self_update.cc): the new RS starts and initializes first, then the
// other members are updated and held; once all of them initialized RS
// commits them and swaps itself, and the new RS answers the requester.
// RS's -y counts before any commit; another member's failure, or the new
// RS dying, rolls every member back.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "rs_manager_fixture.h"
#include "umk/sig.h"
#include "umklib/rs_proto.h"
#include "umklib/sef.h"

namespace umk::rs {
namespace {

using namespace testing;  // RsManager, its endpoints and FakeHost (rs_manager_fixture.h)

std::string s(endpoint_t ep) {
    return std::to_string(ep);
}

class RsBatchWithRs : public RsManager {
  protected:
    void SetUp() override {
        RsManager::SetUp();
        nh_.peer = &h_;
        nh_.next_ep = 500;
        nm_ = std::make_unique<Manager>();
        nm_->init(nh_, &cfg_, RS_EP);
        hello_ = up("/bin/hello");
        // VM: the services' swaps hold; RS's own swap hands over to the
        // new instance (which takes over, or gives up with `forced_`).
        h_.vm_hook = [this](endpoint_t src, endpoint_t dst, bool rollback) {
            if (src != RS_EP) return OK;
            EXPECT_FALSE(rollback);
            taken_over_ = nm_->take_over(dst, 7, OK);
            return taken_over_ == OK ? -EDEADSRCDST : OK;
        };
    }

    int queue(const char* label, int debug = RS_DEBUG_NONE) {
        rs_start st = make_start("", label);
        st.flags = RSS_SELF | RSS_QUEUE;
        st.state = SEF_LU_STATE_REQUEST_FREE;
        st.maxtime = 60;
        st.debug = debug;
        return request(RS_UPDATE, &st);
    }

    // Queue hello and RS, run: the new RS's endpoint.
    endpoint_t run(int rs_debug = RS_DEBUG_NONE, int hello_debug = RS_DEBUG_NONE) {
        EXPECT_EQ(queue("hello", hello_debug), OK);
        EXPECT_EQ(queue("rs", rs_debug), OK);
        Request rq{RS_SYSCTL, CLIENT, nullptr, nullptr, RS_SYSCTL_UPD_RUN};
        endpoint_t ep;
        EXPECT_EQ(m_.request(rq, &ep), -EDONTREPLY);
        endpoint_t n = h_.next_ep - 1;
        EXPECT_TRUE(h_.saw("spawn rs " + s(n)));
        EXPECT_EQ(h_.count_prefix("spawn /bin/hello"), 0);  // RS first
        return n;
    }

    int client_replies(const FakeHost& h) const { return h.count_prefix("reply " + s(CLIENT)); }

    FakeHost nh_;
    std::unique_ptr<Manager> nm_;
    int taken_over_ = -1;
    endpoint_t hello_ = NONE;
};

TEST_F(RsBatchWithRs, RsFirstThenTheOthersThenRsSwapsLast) {
    endpoint_t n = run();
    m_.init_reply(n, OK);  // the new RS is ready: now hello
    endpoint_t nv = h_.next_ep - 1;
    EXPECT_TRUE(h_.saw("spawn /bin/hello " + s(nv)));
    EXPECT_EQ(h_.count_prefix("vm_update 2 "), 0);  // not RS's swap yet
    m_.lu_ready(hello_, OK);
    EXPECT_TRUE(h_.saw("vm_update " + s(hello_) + " " + s(nv)));
    EXPECT_EQ(h_.count_prefix("vm_update 2 "), 0);
    m_.init_reply(hello_, OK);  // hello commits, then RS swaps itself
    EXPECT_TRUE(h_.saw(reply_to(hello_, OK, NONE)));
    EXPECT_TRUE(h_.saw("clear " + s(nv)));  // hello's old image
    EXPECT_TRUE(h_.saw("vm_update 2 " + s(n)));
    ASSERT_EQ(taken_over_, OK);
    // The new RS answers, once, and knows hello's new version. (The old
    // instance never comes back from a swap that held; the fake VM returns
    // to it, so what it does then is not looked at.)
    EXPECT_TRUE(nh_.saw(reply_to(CLIENT, OK, RS_EP)));
    EXPECT_EQ(client_replies(nh_), 1);
    const Service* h = nm_->find_active("hello");
    ASSERT_NE(h, nullptr);
    EXPECT_EQ(h->endpoint, hello_);
    EXPECT_FALSE(h->flags & (RS_UPDATING | RS_INITIALIZING));
}

TEST_F(RsBatchWithRs, RsMinusYCountsBeforeAnyCommit) {
    endpoint_t n = run(RS_DEBUG_INIT_FAIL);
    // Passed on as "fail before the swap".
    EXPECT_TRUE(h_.saw("init_self " + s(n) + " debug=" + s(RS_DEBUG_INIT_FAIL_EARLY) + " grant=7"));
    m_.init_reply(n, -ENOSYS);
    EXPECT_EQ(h_.count_prefix("spawn /bin/hello"), 0);  // hello never touched
    EXPECT_TRUE(h_.saw("clear " + s(n)));
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, -ENOSYS, RS_EP)));
    EXPECT_EQ(client_replies(h_), 1);
    EXPECT_FALSE(m_.self_update_state().active);
    EXPECT_EQ(m_.find_active("hello")->endpoint, hello_);
}

TEST_F(RsBatchWithRs, AnotherMemberFailingRollsBackAndDropsTheNewRs) {
    endpoint_t n = run(RS_DEBUG_NONE, RS_DEBUG_INIT_FAIL);
    m_.init_reply(n, OK);
    endpoint_t nv = h_.next_ep - 1;
    m_.lu_ready(hello_, OK);
    m_.init_reply(hello_, -ENOSYS);
    EXPECT_EQ(m_.signal(hello_, SIGABRT), -EDEADSRCDST);
    EXPECT_TRUE(h_.saw("vm_update " + s(hello_) + " " + s(nv) + " rollback"));
    EXPECT_TRUE(h_.saw(reply_to(hello_, -ERESTART, NONE)));
    EXPECT_EQ(h_.count_prefix("vm_update 2 "), 0);  // RS never swapped
    EXPECT_TRUE(h_.saw("clear " + s(n)));
    EXPECT_TRUE(h_.saw("revoke 7"));
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, -ENOSYS, RS_EP)));
    EXPECT_EQ(client_replies(h_), 1);
    EXPECT_FALSE(m_.self_update_state().active);
    EXPECT_FALSE(m_.update_state().active);
    EXPECT_EQ(m_.find_active("hello")->endpoint, hello_);
}

TEST_F(RsBatchWithRs, NewRsDyingWhileTheOthersInitializeRollsThemBack) {
    endpoint_t n = run();
    m_.init_reply(n, OK);
    endpoint_t nv = h_.next_ep - 1;
    m_.lu_ready(hello_, OK);
    EXPECT_EQ(m_.signal(n, SIGSEGV), -EDEADSRCDST);
    EXPECT_TRUE(h_.saw("vm_update " + s(hello_) + " " + s(nv) + " rollback"));
    EXPECT_TRUE(h_.saw(reply_to(hello_, -ERESTART, NONE)));
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, -ERESTART, RS_EP)));
    EXPECT_EQ(client_replies(h_), 1);
    EXPECT_FALSE(m_.update_state().active);
    EXPECT_EQ(m_.find_active("hello")->endpoint, hello_);
    // A late init answer of hello's killed new image finds nothing.
    EXPECT_EQ(m_.records_in_use(), 2);
}

TEST_F(RsBatchWithRs, OtherMembersTimeOutsApplyNotRsOwn) {
    endpoint_t n = run();
    m_.init_reply(n, OK);
    // hello never gets ready: its prepare time (60) ends the batch.
    h_.ticks += 61;
    m_.tick();
    EXPECT_TRUE(h_.saw("clear " + s(n)));
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, -EINTR, RS_EP)));
    EXPECT_EQ(client_replies(h_), 1);
    EXPECT_FALSE(m_.self_update_state().active);
}

}  // namespace
}  // namespace umk::rs
