// RS's recovery of itself, on the fake host (restore.cc): the table of a
// dead RS comes back from its checkpoint, or is rebuilt from the kernel's
// process table, and is reconciled with what happened while no RS ran.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "rs_manager_fixture.h"
#include "umk/priv_flags.h"
#include "umk/proc_flags.h"

namespace umk::rs::testing {
namespace {

// A process as the kernel's process table shows it.
proc_info proc(endpoint_t ep, const char* name, std::uint32_t rts = 0, bool managed = true) {
    proc_info p{};
    p.endpoint = ep;
    p.slot = ep % 50;
    p.rts_flags = rts;
    std::snprintf(p.name, sizeof p.name, "%s", name);
    p.sig_mgr = managed ? RS_EP : NONE;
    p.priv_flags = SYS_PROC | PREEMPTIBLE | (managed ? DYN_PRIV_ID : 0);
    p.priv_id = managed ? 40 + ep % 10 : 2 + ep % 10;
    return p;
}

class RsRestore : public RsManager {
  protected:
    // The checkpoint the running RS (m_) would write now.
    State& checkpoint() {
        m_.checkpoint(st_.get());
        return *st_;
    }
    // A new RS on a host of its own (the fake's endpoints continue).
    Manager& fresh() {
        h2_.next_ep = h_.next_ep;
        m2_->init(h2_, &cfg_, RS_EP);
        return *m2_;
    }
    bool logged(const std::string& what) const {
        for (const auto& l : h2_.logs)
            if (l.find(what) != std::string::npos) return true;
        return false;
    }

    std::unique_ptr<State> st_ = std::make_unique<State>();
    std::unique_ptr<Manager> m2_ = std::make_unique<Manager>();
    FakeHost h2_;
    std::vector<proc_info> tab_;
};

TEST_F(RsRestore, CheckpointRoundTripKeepsEveryServiceAndTouchesNothing) {
    const endpoint_t hello = up("hello");
    State& st = checkpoint();
    tab_ = {proc(DS_EP, "ds"), proc(hello, "hello")};
    Manager& m = fresh();
    ASSERT_EQ(m.restore(st, tab_.data(), static_cast<int>(tab_.size())), OK);
    ASSERT_NE(m.find_active("hello"), nullptr);
    EXPECT_EQ(m.find_active("hello")->endpoint, hello);
    EXPECT_NE(m.find_active("ds"), nullptr);
    EXPECT_TRUE(m.ds_ready());
    EXPECT_TRUE(h2_.events.empty()) << h2_.events.front();
}

TEST_F(RsRestore, ServiceGoneWhileRsWasDownIsRestarted) {
    const endpoint_t hello = up("hello");
    State& st = checkpoint();
    tab_ = {proc(DS_EP, "ds")};
    Manager& m = fresh();
    ASSERT_EQ(m.restore(st, tab_.data(), 1), OK);
    EXPECT_TRUE(logged("service 'hello' (endpoint " + std::to_string(hello) +
                       ") is gone while RS was down"));
    const endpoint_t replica = h2_.next_ep - 1;
    EXPECT_TRUE(h2_.saw("spawn hello " + std::to_string(replica)));
    EXPECT_TRUE(h2_.saw("init " + std::to_string(replica) +
                        " type=2 restarts=1 old=" + std::to_string(hello) + " debug=0"));
}

TEST_F(RsRestore, ServiceHeldByASignalTheDeadRsCollectedIsRestarted) {
    const endpoint_t hello = up("hello");
    State& st = checkpoint();
    tab_ = {proc(DS_EP, "ds"), proc(hello, "hello", RTS_SIG_PENDING)};
    Manager& m = fresh();
    ASSERT_EQ(m.restore(st, tab_.data(), 2), OK);
    EXPECT_TRUE(h2_.saw("kill " + std::to_string(hello) + " 9"));
    EXPECT_EQ(h2_.count_prefix("spawn hello"), 1);
    // Signals not yet collected are still to come: nothing to do for them.
    Manager& again = fresh();
    h2_.clear_events();
    tab_[1].rts_flags = RTS_SIG_PENDING | RTS_SIGNALED;
    ASSERT_EQ(again.restore(st, tab_.data(), 2), OK);
    EXPECT_TRUE(h2_.events.empty()) << h2_.events.front();
}

TEST_F(RsRestore, UpdateInFlightBeforeTheSwapIsCancelled) {
    const endpoint_t hello = up("hello");
    const endpoint_t nv = start_update("hello", 2, 300);
    ASSERT_TRUE(h_.saw("lu_prepare " + std::to_string(hello) + " state=2 max=300"));
    State& st = checkpoint();
    tab_ = {proc(DS_EP, "ds"), proc(hello, "hello"), proc(nv, "hello", RTS_NO_PRIV)};
    Manager& m = fresh();
    ASSERT_EQ(m.restore(st, tab_.data(), 3), OK);
    EXPECT_TRUE(h2_.saw("lu_prepare " + std::to_string(hello) + " state=0 max=0"));
    EXPECT_TRUE(h2_.saw("kill " + std::to_string(nv) + " 9"));
    EXPECT_TRUE(h2_.saw("clear " + std::to_string(nv)));
    ASSERT_NE(m.find_active("hello"), nullptr);
    EXPECT_EQ(m.find_active("hello")->endpoint, hello);
    EXPECT_FALSE(m.find_active("hello")->flags & RS_UPDATING);
    EXPECT_FALSE(m.update_state().active);
    EXPECT_EQ(m.records_in_use(), 2);
    EXPECT_FALSE(logged("no record"));  // the new version was known, then dropped
    // The requester got ERESTART from the kernel: RS does not answer it.
    EXPECT_EQ(h2_.count_prefix("reply"), 0);
    // A new update is accepted.
    rs_start upd = make_start("", "hello");
    upd.flags = RSS_SELF;
    upd.state = 1;
    Request rq{RS_UPDATE, CLIENT, &upd, nullptr};
    endpoint_t ep;
    EXPECT_EQ(m.request(rq, &ep), -EDONTREPLY);
}

TEST_F(RsRestore, UpdateInFlightAfterTheSwapIsRolledBack) {
    const endpoint_t hello = up("hello");
    const endpoint_t nv = start_update("hello", 1);
    m_.lu_ready(hello, OK);  // swapped: the new version initializes at `hello`
    ASSERT_TRUE(h_.saw("vm_update " + std::to_string(hello) + " " + std::to_string(nv)));
    State& st = checkpoint();
    tab_ = {proc(DS_EP, "ds"), proc(hello, "hello"), proc(nv, "hello")};
    Manager& m = fresh();
    ASSERT_EQ(m.restore(st, tab_.data(), 3), OK);
    EXPECT_TRUE(h2_.saw("kill " + std::to_string(hello) + " 9"));
    EXPECT_TRUE(
        h2_.saw("vm_update " + std::to_string(hello) + " " + std::to_string(nv) + " rollback"));
    EXPECT_TRUE(h2_.saw("clear " + std::to_string(nv)));
    ASSERT_NE(m.find_active("hello"), nullptr);
    EXPECT_EQ(m.find_active("hello")->endpoint, hello);
    EXPECT_EQ(m.records_in_use(), 2);
}

TEST_F(RsRestore, RequestInProgressIsNeverAnsweredByTheNewRs) {
    rs_start st_up = make_start("quiet");
    ASSERT_EQ(request(RS_UP, &st_up), -EDONTREPLY);  // waits for its init
    const endpoint_t quiet = h_.next_ep - 1;
    State& st = checkpoint();
    tab_ = {proc(DS_EP, "ds"), proc(quiet, "quiet")};
    Manager& m = fresh();
    ASSERT_EQ(m.restore(st, tab_.data(), 2), OK);
    m.init_reply(quiet, OK);
    EXPECT_TRUE(h2_.saw(reply_to(quiet, OK, NONE)));
    EXPECT_EQ(h2_.count_prefix("reply " + std::to_string(CLIENT)), 0);
    ASSERT_NE(m.find_active("quiet"), nullptr);
}

TEST_F(RsRestore, DamagedCheckpointIsRefusedAndNothingChanges) {
    up("hello");
    State& st = checkpoint();
    st.records[1].svc.label[PROC_NAME_LEN - 1] = 'x';  // not terminated
    for (auto& c : st.records[1].svc.label) c = 'x';
    tab_ = {proc(DS_EP, "ds")};
    Manager& m = fresh();
    EXPECT_EQ(m.restore(st, tab_.data(), 1), -EINVAL);
    EXPECT_EQ(m.records_in_use(), 0);
    st.magic ^= 1;
    EXPECT_EQ(m.restore(st, tab_.data(), 1), -EINVAL);
}

TEST_F(RsRestore, RebuildAdoptsWhatRsManagesAndRestartsWhatDied) {
    tab_ = {
        proc(DS_EP, "ds"),
        proc(10, "hello"),
        proc(12, "umkctl", 0, false),  // boot privileges (static id): not RS's
        proc(3, "guard"),
        proc(0, "pm", RTS_SIG_PENDING),  // died, the dead RS had collected it
    };
    proc_info user = proc(160, "cat");
    user.priv_id = USER_PRIV_ID;
    user.priv_flags = 0;
    tab_.push_back(user);
    proc_info free_slot = proc(11, "old");
    free_slot.rts_flags = RTS_SLOT_FREE;
    tab_.push_back(free_slot);
    Manager& m = fresh();
    m.rebuild(tab_.data(), static_cast<int>(tab_.size()));
    EXPECT_TRUE(m.ds_ready());
    ASSERT_NE(m.find_active("hello"), nullptr);
    EXPECT_EQ(m.find_active("hello")->endpoint, 10);
    EXPECT_EQ(m.find_active("hello")->period, 10);  // from system.conf
    EXPECT_TRUE(m.find_active("hello")->flags & RS_BOOT);
    ASSERT_NE(m.find_active("ds"), nullptr);
    EXPECT_TRUE(m.find_active("ds")->flags & RS_CORE);
    EXPECT_NE(m.find_active("guard"), nullptr);
    EXPECT_EQ(m.find_active("umkctl"), nullptr);
    EXPECT_EQ(m.find_active("cat"), nullptr);
    EXPECT_EQ(m.find_active("old"), nullptr);
    EXPECT_TRUE(h2_.saw("kill 0 9"));
    EXPECT_EQ(h2_.count_prefix("spawn pm"), 1);
    EXPECT_TRUE(logged("adopted 'hello' at endpoint 10"));
}

TEST_F(RsRestore, LeftoverRsInstanceIsClearedAndStrangersAreLogged) {
    State& st = checkpoint();
    tab_ = {proc(DS_EP, "ds"), proc(120, "rs"), proc(121, "stranger")};
    Manager& m = fresh();
    ASSERT_EQ(m.restore(st, tab_.data(), 3), OK);
    EXPECT_TRUE(h2_.saw("clear 120"));
    EXPECT_FALSE(h2_.saw("clear 121"));
    EXPECT_TRUE(logged("process 121 ('stranger') has RS as signal manager but no record"));
}

TEST_F(RsRestore, DeadInstanceWaitingForItsScriptIsRestartedByRs) {
    rs_start st_up = make_start("hello", "h2");
    std::strcpy(st_up.script, "recover");
    ASSERT_EQ(request(RS_UP, &st_up), -EDONTREPLY);
    const endpoint_t h2 = h_.next_ep - 1;
    m_.init_reply(h2, OK);
    ASSERT_EQ(m_.signal(h2, SIGKILL), -EDEADSRCDST);
    ASSERT_EQ(h_.count_prefix("script recover"), 1);
    State& st = checkpoint();
    tab_ = {proc(DS_EP, "ds"), proc(h2, "h2", RTS_SIG_PENDING)};
    Manager& m = fresh();
    ASSERT_EQ(m.restore(st, tab_.data(), 2), OK);
    EXPECT_TRUE(logged("service 'h2' was waiting for its recovery when RS died"));
    m.tick();
    EXPECT_EQ(h2_.count_prefix("spawn hello"), 1);
}

TEST_F(RsRestore, HeartbeatsDoNotChangeTheCheckpoint) {
    const endpoint_t hello = up("hello");
    State& st = checkpoint();
    auto before = std::make_unique<State>(st);
    h_.ticks += 10;
    m_.tick();  // pings hello
    m_.notified(hello);
    checkpoint();
    EXPECT_EQ(std::memcmp(before.get(), st_.get(), sizeof(State)), 0);
}

TEST_F(RsRestore, PrivilegesForTheGuardianAreRsEntry) {
    priv_args pa{};
    ASSERT_EQ(m_.rs_privileges(&pa), OK);
    EXPECT_TRUE(pa.flags & SYS_PROC);
}

}  // namespace
}  // namespace umk::rs::testing
