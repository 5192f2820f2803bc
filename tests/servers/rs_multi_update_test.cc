// Multi-component live update (servers/rs/update.cc) on a fake Host:
// `update ... -q` queues, `sysctl upd_run` runs the queue as one update
// (all prepare, all swap, all initialize, then all commit), and any
// failure - an init error, a crash, a timeout, an old version killed
// before or after the swap - rolls every member back. `sysctl upd_stop`
// drops the queue.
#include <gtest/gtest.h>

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

class RsBatch : public RsManager {
  protected:
    void SetUp() override {
        RsManager::SetUp();
        if (HasFatalFailure()) return;
        for (int i = 0; i < 3; ++i) eps_[i] = up("/bin/quiet", kLabels[i]);
    }

    int queue(const char* label, int state = 1, int maxtime = 0, int debug = RS_DEBUG_NONE,
              endpoint_t caller = CLIENT) {
        rs_start st = make_start("", label);
        st.flags = RSS_SELF | RSS_QUEUE;
        st.state = state;
        st.maxtime = maxtime;
        st.debug = debug;
        return request(RS_UPDATE, &st, nullptr, caller);
    }

    int sysctl(int subtype, endpoint_t caller = CLIENT) {
        Request rq{RS_SYSCTL, caller, nullptr, nullptr, subtype};
        endpoint_t ep;
        return m_.request(rq, &ep);
    }

    // Queue all three and run them: the new versions' endpoints in nv_.
    void run_three(int maxtime = 60, int debug3 = RS_DEBUG_NONE) {
        for (int i = 0; i < 3; ++i)
            ASSERT_EQ(queue(kLabels[i], 1, maxtime, i == 2 ? debug3 : RS_DEBUG_NONE), OK);
        EXPECT_EQ(h_.count_prefix("spawn"), 0);  // queued only
        endpoint_t first = h_.next_ep;
        ASSERT_EQ(sysctl(RS_SYSCTL_UPD_RUN), -EDONTREPLY);
        for (int i = 0; i < 3; ++i) nv_[i] = first + i;
        for (int i = 0; i < 3; ++i) {
            EXPECT_TRUE(h_.saw("spawn /bin/quiet " + s(nv_[i])));
            EXPECT_TRUE(h_.saw("lu_prepare " + s(eps_[i]) + " state=1 max=" + s(maxtime)));
        }
    }

    // Every old version ready: all are swapped and initialize.
    void all_ready() {
        m_.lu_ready(eps_[0], OK);
        m_.lu_ready(eps_[1], OK);
        EXPECT_EQ(h_.count_prefix("vm_update"), 0);  // the third is not ready yet
        m_.lu_ready(eps_[2], OK);
        for (int i = 0; i < 3; ++i) {
            EXPECT_TRUE(h_.saw("vm_update " + s(eps_[i]) + " " + s(nv_[i])));
            EXPECT_TRUE(h_.saw("allow " + s(eps_[i])));
            EXPECT_EQ(h_.count_prefix("init " + s(eps_[i]) +
                                      " type=1 restarts=0 old=" + s(eps_[i]) + " debug="),
                      1);
        }
    }

    // Every member back: old version at its endpoint, active, not updating.
    void expect_all_serving() {
        for (int i = 0; i < 3; ++i) {
            const Service* sv = m_.find_active(kLabels[i]);
            ASSERT_NE(sv, nullptr) << kLabels[i];
            EXPECT_EQ(sv->endpoint, eps_[i]) << kLabels[i];
            EXPECT_FALSE(sv->flags & RS_UPDATING) << kLabels[i];
        }
        EXPECT_FALSE(m_.update_state().active);
        EXPECT_EQ(m_.records_in_use(), 4);  // ds + the three
    }

    bool logged(const std::string& what) const {
        for (const auto& l : h_.logs)
            if (l.find(what) != std::string::npos) return true;
        return false;
    }

    static constexpr const char* kLabels[3] = {"one", "two", "three"};
    endpoint_t eps_[3]{};
    endpoint_t nv_[3]{};
};

TEST_F(RsBatch, QueuedUpdatesRunAsOneAndAnswerOnlyWhenAllInitialized) {
    run_three();
    all_ready();
    h_.clear_events();
    m_.init_reply(eps_[0], OK);
    m_.init_reply(eps_[1], OK);
    EXPECT_EQ(h_.count_prefix("reply"), 0);  // held until the third has initialized
    m_.init_reply(eps_[2], OK);
    for (int i = 0; i < 3; ++i) {
        EXPECT_TRUE(h_.saw(reply_to(eps_[i], OK, NONE)));
        EXPECT_TRUE(h_.saw("kill " + s(nv_[i]) + " 9"));  // the old image, now at nv
        EXPECT_TRUE(h_.saw("clear " + s(nv_[i])));
        EXPECT_EQ(m_.find_active(kLabels[i])->endpoint, eps_[i]);
    }
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, OK, eps_[0])));
    EXPECT_EQ(h_.count_prefix("reply " + s(CLIENT)), 1);
    EXPECT_FALSE(m_.update_state().active);
    EXPECT_EQ(m_.update_queue().n, 0);
    EXPECT_EQ(m_.records_in_use(), 4);
}

TEST_F(RsBatch, ThirdMemberFailingItsInitRollsEveryMemberBack) {
    run_three(60, RS_DEBUG_INIT_FAIL);
    all_ready();
    EXPECT_TRUE(h_.saw("init " + s(eps_[2]) + " type=1 restarts=0 old=" + s(eps_[2]) +
                       " debug=" + s(RS_DEBUG_INIT_FAIL)));
    m_.init_reply(eps_[0], OK);
    m_.init_reply(eps_[1], OK);
    h_.clear_events();
    m_.init_reply(eps_[2], -ENOSYS);                        // -y on the last member
    EXPECT_TRUE(h_.saw(reply_to(eps_[2], -ENOSYS, NONE)));  // its SEF exits...
    EXPECT_EQ(h_.count_prefix("vm_update"), 0);
    EXPECT_EQ(m_.signal(eps_[2], SIGABRT), -EDEADSRCDST);  // ...and the kernel reports it
    for (int i = 0; i < 3; ++i) {
        EXPECT_TRUE(h_.saw("vm_update " + s(eps_[i]) + " " + s(nv_[i]) + " rollback"));
        EXPECT_TRUE(h_.saw(reply_to(eps_[i], -ERESTART, NONE)));  // the old version resumes
        EXPECT_TRUE(h_.saw("clear " + s(nv_[i])));                // the new image goes
        EXPECT_FALSE(h_.saw(reply_to(eps_[i], OK, NONE)));        // no new version committed
    }
    // The two healthy new versions are frozen before their swap back.
    EXPECT_TRUE(h_.saw("kill " + s(eps_[0]) + " 9"));
    EXPECT_TRUE(h_.saw("kill " + s(eps_[1]) + " 9"));
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, -ENOSYS, eps_[2])));
    EXPECT_TRUE(logged("update of 'three' failed"));
    EXPECT_EQ(h_.count_prefix("spawn"), 0);  // nobody restarted: the old versions are fine
    expect_all_serving();
}

TEST_F(RsBatch, MemberCrashingInItsInitRollsEveryMemberBack) {
    run_three();
    all_ready();
    m_.init_reply(eps_[0], OK);
    h_.clear_events();
    EXPECT_EQ(m_.signal(eps_[1], SIGSEGV), -EDEADSRCDST);  // -x on the second
    for (int i = 0; i < 3; ++i) {
        EXPECT_TRUE(h_.saw("vm_update " + s(eps_[i]) + " " + s(nv_[i]) + " rollback"));
        EXPECT_TRUE(h_.saw(reply_to(eps_[i], -ERESTART, NONE)));
    }
    EXPECT_FALSE(h_.saw("kill " + s(eps_[1]) + " 9"));  // already dead
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, -ERESTART, eps_[1])));
    EXPECT_TRUE(logged("update of 'two' failed"));
    EXPECT_EQ(h_.count_prefix("spawn"), 0);
    expect_all_serving();
}

TEST_F(RsBatch, MemberHangingInItsInitTimesOutWithEintr) {
    run_three(60);
    all_ready();
    m_.init_reply(eps_[0], OK);
    m_.init_reply(eps_[2], OK);
    h_.clear_events();
    h_.ticks += 61;
    m_.tick();
    for (int i = 0; i < 3; ++i)
        EXPECT_TRUE(h_.saw("vm_update " + s(eps_[i]) + " " + s(nv_[i]) + " rollback"));
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, -EINTR, eps_[1])));
    expect_all_serving();
}

// `-state N` for a state one member never reaches: EINTR after its
// maxtime; the ready ones go on (their SENDREC is answered), the one still
// preparing is cancelled, nothing was swapped.
TEST_F(RsBatch, MemberNotReachingItsStateCancelsTheBatchWithEintr) {
    ASSERT_EQ(queue("one", 1, 90), OK);
    ASSERT_EQ(queue("two", 4, 30), OK);
    ASSERT_EQ(queue("three", 1, 90), OK);
    endpoint_t first = h_.next_ep;
    ASSERT_EQ(sysctl(RS_SYSCTL_UPD_RUN), -EDONTREPLY);
    EXPECT_TRUE(h_.saw("lu_prepare " + s(eps_[1]) + " state=4 max=30"));
    m_.lu_ready(eps_[0], OK);
    m_.lu_ready(eps_[2], OK);
    h_.ticks += 30;
    m_.tick();
    EXPECT_EQ(h_.count_prefix("reply " + s(CLIENT)), 0);
    h_.ticks += 1;
    m_.tick();
    EXPECT_TRUE(h_.saw(reply_to(eps_[0], -EINTR, NONE)));  // ready: goes on serving
    EXPECT_TRUE(h_.saw(reply_to(eps_[2], -EINTR, NONE)));
    EXPECT_TRUE(h_.saw("lu_prepare " + s(eps_[1]) + " state=0 max=0"));  // cancel
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(h_.saw("clear " + s(first + i)));
    EXPECT_EQ(h_.count_prefix("vm_update"), 0);
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, -EINTR, eps_[1])));
    EXPECT_TRUE(logged("update of 'two' failed: maximum prepare time reached"));
    expect_all_serving();
}

TEST_F(RsBatch, NotReadyMemberCancelsTheBatchWithItsError) {
    run_three();
    m_.lu_ready(eps_[0], OK);
    h_.clear_events();
    m_.lu_ready(eps_[1], -EINVAL);
    EXPECT_TRUE(h_.saw(reply_to(eps_[1], -EINVAL, NONE)));
    EXPECT_TRUE(h_.saw(reply_to(eps_[0], -EINTR, NONE)));
    EXPECT_TRUE(h_.saw("lu_prepare " + s(eps_[2]) + " state=0 max=0"));
    EXPECT_EQ(h_.count_prefix("reply " + s(eps_[1])), 1);  // answered once
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, -EINVAL, eps_[1])));
    // The third's late "ready" is answered: it never stays blocked.
    m_.lu_ready(eps_[2], OK);
    EXPECT_TRUE(h_.saw(reply_to(eps_[2], -EINTR, NONE)));
    expect_all_serving();
}

TEST_F(RsBatch, FailedSwapOfTheSecondSwapsTheFirstBack) {
    run_three();
    h_.vm_update_fail_after = 1;  // the second swap fails...
    m_.lu_ready(eps_[0], OK);
    m_.lu_ready(eps_[1], OK);
    m_.lu_ready(eps_[2], OK);
    h_.vm_update_fail_after = 0;  // ...and again when it is retried at the tick
    h_.vm_updates = 0;
    m_.tick();
    EXPECT_TRUE(h_.saw("vm_update " + s(eps_[0]) + " " + s(nv_[0]) + " rollback"));
    EXPECT_TRUE(h_.saw(reply_to(eps_[0], -ERESTART, NONE)));
    EXPECT_TRUE(h_.saw(reply_to(eps_[1], -EBUSY, NONE)));
    EXPECT_TRUE(h_.saw(reply_to(eps_[2], -EINTR, NONE)));
    EXPECT_FALSE(h_.saw("vm_update " + s(eps_[2]) + " " + s(nv_[2])));
    EXPECT_EQ(h_.count_prefix("allow"), 0);  // no new version ever ran
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, -EBUSY, eps_[1])));
    expect_all_serving();
}

TEST_F(RsBatch, UpdStopDropsTheQueue) {
    ASSERT_EQ(queue("one"), OK);
    ASSERT_EQ(queue("two"), OK);
    EXPECT_EQ(m_.update_queue().n, 2);
    EXPECT_EQ(sysctl(RS_SYSCTL_UPD_STOP), OK);
    EXPECT_EQ(m_.update_queue().n, 0);
    EXPECT_EQ(sysctl(RS_SYSCTL_UPD_RUN), -EINVAL);  // nothing to run
    EXPECT_EQ(h_.count_prefix("spawn"), 0);
    EXPECT_EQ(h_.count_prefix("lu_prepare"), 0);
}

TEST_F(RsBatch, EverythingElseIsBusyWhileABatchRuns) {
    run_three();
    EXPECT_EQ(queue("one"), -EBUSY);
    EXPECT_EQ(sysctl(RS_SYSCTL_UPD_RUN), -EBUSY);
    rs_start st = make_start("", "ds");
    st.flags = RSS_SELF;
    st.state = 1;
    EXPECT_EQ(request(RS_UPDATE, &st, nullptr, CLIENT2), -EBUSY);
    st.flags |= RSS_QUEUE;
    EXPECT_EQ(request(RS_UPDATE, &st, nullptr, CLIENT2), -EBUSY);
    std::strcpy(st.label, "rs");
    st.flags = RSS_SELF;
    EXPECT_EQ(request(RS_UPDATE, &st, nullptr, CLIENT2), -EBUSY);
}

TEST_F(RsBatch, QueueingIsCheckedAtOnce) {
    EXPECT_EQ(queue("nosuch"), -ESRCH);
    EXPECT_EQ(queue("one", 0), -EINVAL);
    EXPECT_EQ(queue("rs", 0), -EINVAL);
    ASSERT_EQ(queue("one"), OK);
    EXPECT_EQ(queue("one"), -EBUSY);  // once per label
    h_.authority_of[CLIENT2] = 0;
    EXPECT_EQ(queue("two", 1, 0, RS_DEBUG_NONE, CLIENT2), -EPERM);
    EXPECT_EQ(sysctl(RS_SYSCTL_UPD_RUN, CLIENT2), -EPERM);  // sysctl needs MANAGE_SERVICES
    EXPECT_EQ(sysctl(RS_SYSCTL_UPD_STOP, CLIENT2), -EPERM);
    EXPECT_EQ(sysctl(99), -EINVAL);
    EXPECT_EQ(m_.update_queue().n, 1);
}

TEST_F(RsBatch, QueueHoldsAtMostLuMaxMembers) {
    ASSERT_EQ(queue("one"), OK);
    ASSERT_EQ(queue("two"), OK);
    ASSERT_EQ(queue("three"), OK);
    char name[8][8];
    for (int i = 3; i < LU_MAX_MEMBERS; ++i) {
        std::snprintf(name[i], sizeof name[i], "x%d", i);
        up("/bin/quiet", name[i]);
        ASSERT_EQ(queue(name[i]), OK);
    }
    up("/bin/quiet", "last");
    EXPECT_EQ(queue("last"), -ENOSPC);
}

// A plain update while updates are queued runs alone; the queue stays.
TEST_F(RsBatch, PlainUpdateRunsAloneBesideTheQueue) {
    ASSERT_EQ(queue("one"), OK);
    endpoint_t nv = start_update("two");
    m_.lu_ready(eps_[1], OK);
    m_.init_reply(eps_[1], OK);
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, OK, eps_[1])));
    EXPECT_TRUE(h_.saw("clear " + s(nv)));
    EXPECT_EQ(m_.update_queue().n, 1);
    EXPECT_FALSE(h_.saw("lu_prepare " + s(eps_[0]) + " state=1 max=120"));
}

// The old version of a member killed (host kill -9 or RS's kill) while it
// prepares: the batch is cancelled, the requester answered, and that
// service restarted like any crash.
TEST_F(RsBatch, OldVersionKilledBeforeTheSwapCancelsAndIsRestarted) {
    run_three();
    m_.lu_ready(eps_[0], OK);
    h_.clear_events();
    endpoint_t next = h_.next_ep;
    EXPECT_EQ(m_.signal(eps_[1], SIGKILL), -EDEADSRCDST);
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, -ERESTART, eps_[1])));
    EXPECT_TRUE(h_.saw(reply_to(eps_[0], -EINTR, NONE)));                // ready: resumes
    EXPECT_TRUE(h_.saw("lu_prepare " + s(eps_[2]) + " state=0 max=0"));  // cancelled
    EXPECT_FALSE(h_.saw("lu_prepare " + s(eps_[1]) + " state=0 max=0"));
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(h_.saw("clear " + s(nv_[i])));
    EXPECT_EQ(h_.count_prefix("vm_update"), 0);
    // The killed one is restarted: a replica, RS_INIT RESTART.
    EXPECT_TRUE(h_.saw("spawn /bin/quiet " + s(next)));
    EXPECT_TRUE(h_.saw("init " + s(next) + " type=2 restarts=1 old=" + s(eps_[1]) + " debug=0"));
    m_.init_reply(next, OK);
    const Service* two = m_.find_active("two");
    ASSERT_NE(two, nullptr);
    EXPECT_EQ(two->endpoint, next);
    EXPECT_TRUE(h_.saw("clear " + s(eps_[1])));  // the dead instance, once its replica is up
    EXPECT_EQ(m_.find_active("one")->endpoint, eps_[0]);
    EXPECT_EQ(m_.find_active("three")->endpoint, eps_[2]);
    EXPECT_FALSE(m_.update_state().active);
}

// Killed while it waits in its ready SENDREC for the others: nobody
// answers the dead one, the others are cancelled, it is restarted.
TEST_F(RsBatch, ReadyOldVersionKilledWhileTheOthersPrepare) {
    run_three();
    m_.lu_ready(eps_[0], OK);
    m_.lu_ready(eps_[1], OK);
    h_.clear_events();
    endpoint_t next = h_.next_ep;
    EXPECT_EQ(m_.signal(eps_[0], SIGKILL), -EDEADSRCDST);
    EXPECT_FALSE(h_.saw(reply_to(eps_[0], -EINTR, NONE)));
    EXPECT_TRUE(h_.saw(reply_to(eps_[1], -EINTR, NONE)));
    EXPECT_TRUE(h_.saw("lu_prepare " + s(eps_[2]) + " state=0 max=0"));
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, -ERESTART, eps_[0])));
    EXPECT_EQ(h_.count_prefix("vm_update"), 0);
    EXPECT_TRUE(h_.saw("init " + s(next) + " type=2 restarts=1 old=" + s(eps_[0]) + " debug=0"));
    m_.init_reply(next, OK);
    EXPECT_EQ(m_.find_active("one")->endpoint, next);
    EXPECT_EQ(m_.records_in_use(), 4);
}

// Killed after the swap (frozen in its ready SENDREC at the new version's
// endpoint): every member swaps back, the dead image returns to its
// endpoint and is restarted.
TEST_F(RsBatch, OldVersionKilledAfterTheSwapRollsBackAndIsRestarted) {
    run_three();
    all_ready();
    m_.init_reply(eps_[0], OK);
    h_.clear_events();
    endpoint_t next = h_.next_ep;
    EXPECT_EQ(m_.signal(nv_[1], SIGKILL), -EDEADSRCDST);  // the old image of 'two'
    for (int i = 0; i < 3; ++i)
        EXPECT_TRUE(h_.saw("vm_update " + s(eps_[i]) + " " + s(nv_[i]) + " rollback"));
    EXPECT_TRUE(h_.saw(reply_to(eps_[0], -ERESTART, NONE)));
    EXPECT_TRUE(h_.saw(reply_to(eps_[2], -ERESTART, NONE)));
    EXPECT_FALSE(h_.saw(reply_to(eps_[1], -ERESTART, NONE)));  // dead: nobody to answer
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, -ERESTART, eps_[1])));
    EXPECT_TRUE(h_.saw("init " + s(next) + " type=2 restarts=1 old=" + s(eps_[1]) + " debug=0"));
    m_.init_reply(next, OK);
    EXPECT_EQ(m_.find_active("two")->endpoint, next);
    EXPECT_EQ(m_.find_active("one")->endpoint, eps_[0]);
    EXPECT_EQ(m_.find_active("three")->endpoint, eps_[2]);
    EXPECT_EQ(m_.records_in_use(), 4);
}

// The new version of a member killed before the swap (it never ran).
TEST_F(RsBatch, NewVersionKilledBeforeTheSwapCancels) {
    run_three();
    m_.lu_ready(eps_[0], OK);
    EXPECT_EQ(m_.signal(nv_[2], SIGKILL), -EDEADSRCDST);
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, -ERESTART, eps_[2])));
    EXPECT_TRUE(h_.saw(reply_to(eps_[0], -EINTR, NONE)));
    EXPECT_EQ(h_.count_prefix("vm_update"), 0);
    expect_all_serving();
}

// With VM in the batch its old version waits in its ready SENDREC to RS,
// where a VM_RS_UPDATE would land as the answer: the kernel swaps every
// member, there and back.
TEST_F(RsBatch, ABatchWithVmIsSwappedByTheKernel) {
    const endpoint_t vm = up("/bin/quiet", "vm");
    ASSERT_EQ(queue("vm"), OK);
    ASSERT_EQ(queue(kLabels[0], 1, 0, RS_DEBUG_INIT_FAIL), OK);
    const endpoint_t first = h_.next_ep;
    ASSERT_EQ(sysctl(RS_SYSCTL_UPD_RUN), -EDONTREPLY);
    m_.lu_ready(vm, OK);
    m_.lu_ready(eps_[0], OK);
    EXPECT_EQ(h_.count_prefix("vm_update"), 0);
    EXPECT_TRUE(h_.saw("update " + s(vm) + " " + s(first)));
    EXPECT_TRUE(h_.saw("update " + s(eps_[0]) + " " + s(first + 1)));
    m_.init_reply(vm, OK);
    m_.init_reply(eps_[0], -ENOSYS);
    EXPECT_EQ(m_.signal(eps_[0], SIGABRT), -EDEADSRCDST);
    EXPECT_TRUE(h_.saw("update " + s(vm) + " " + s(first) + " rollback"));
    EXPECT_TRUE(h_.saw("update " + s(eps_[0]) + " " + s(first + 1) + " rollback"));
    EXPECT_EQ(h_.count_prefix("vm_update"), 0);
    EXPECT_EQ(m_.find_active("vm")->endpoint, vm);
    EXPECT_EQ(m_.find_active(kLabels[0])->endpoint, eps_[0]);
}

}  // namespace
}  // namespace umk::rs
