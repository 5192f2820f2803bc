// The guardian of RS (servers/guard/guard.cc) on a fake host: what it does
// when RS dies, when the new RS loads, answers, fails, crashes or hangs.
#include <gtest/gtest.h>

#include <cstdarg>
#include <cstdio>
#include <string>
#include <vector>

#include "guard.h"
#include "umk/err.h"
#include "umk/priv_flags.h"
#include "umk/sig.h"
#include "umk/slots.h"

namespace {

using namespace umk;
using namespace umk::guard;

constexpr endpoint_t GUARD_EP = 3;

struct FakeGuardHost final : GuardHost {
    std::vector<std::string> events;
    std::vector<std::string> logs;
    clock_t_ ticks = 1000;
    endpoint_t next_ep = 200;
    bool start_at_spawn = false;
    bool started_now = false;
    int spawn_error = OK;
    int update_error = OK;
    int rollback_error = OK;
    priv_args last_priv{};

    void ev(const char* fmt, ...) __attribute__((format(printf, 2, 3))) {
        char buf[200];
        va_list ap;
        va_start(ap, fmt);
        std::vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
        events.emplace_back(buf);
    }
    bool saw(const std::string& e) const {
        for (const auto& x : events)
            if (x == e) return true;
        return false;
    }
    bool logged(const std::string& what) const {
        for (const auto& l : logs)
            if (l.find(what) != std::string::npos) return true;
        return false;
    }

    int spawn_rs(endpoint_t* ep) override {
        if (spawn_error != OK) return spawn_error;
        *ep = next_ep++;
        started_now = start_at_spawn;
        ev("spawn %d", *ep);
        return OK;
    }
    int set_priv(endpoint_t ep, const priv_args& pa) override {
        last_priv = pa;
        ev("set_priv %d", ep);
        return OK;
    }
    int allow(endpoint_t ep) override {
        ev("allow %d", ep);
        return OK;
    }
    int update(endpoint_t src, endpoint_t dst, int flags) override {
        ev("update %d %d %s", src, dst, flags == SYS_UPD_RESTART ? "restart" : "rollback");
        return flags == SYS_UPD_ROLLBACK ? rollback_error : update_error;
    }
    int clear(endpoint_t ep) override {
        ev("clear %d", ep);
        return OK;
    }
    int kill(endpoint_t ep, int sig) override {
        ev("kill %d %d", ep, sig);
        return OK;
    }
    int endksig(endpoint_t ep) override {
        ev("endksig %d", ep);
        return OK;
    }
    bool started(endpoint_t) override { return started_now; }
    int send_init(endpoint_t prev_ep, int prev_grant, int restarts) override {
        ev("init prev=%d grant=%d restarts=%d", prev_ep, prev_grant, restarts);
        return OK;
    }
    int ping() override {
        ev("ping");
        return OK;
    }
    int forward(endpoint_t target, std::uint64_t set) override {
        ev("forward %d %llu", target, static_cast<unsigned long long>(set));
        return OK;
    }
    clock_t_ now() override { return ticks; }
    void vlog(const char* fmt, va_list ap) override {
        char buf[300];
        std::vsnprintf(buf, sizeof buf, fmt, ap);
        logs.emplace_back(buf);
    }
};

std::uint64_t sigs(int sig) {
    return std::uint64_t{1} << sig;
}

class Guard : public ::testing::Test {
  protected:
    void SetUp() override {
        g_.init(h_, GUARD_EP);
        priv_args rs{};
        rs.flags = SYS_PROC | PREEMPTIBLE | MANAGE_SERVICES;
        rs.k_call_mask = 0x1234;
        g_.rs_up(OK, 5, &rs);  // RS's answer to GUARD_HELLO
    }
    // RS dies; the new RS loads and is swapped in.
    endpoint_t die_and_swap() {
        g_.signal(RS_PROC_NR, sigs(SIGSEGV));
        const endpoint_t ep = h_.next_ep - 1;
        h_.started_now = true;
        g_.started();
        return ep;
    }
    FakeGuardHost h_;
    Guardian g_;
};

TEST_F(Guard, DeathOfRsSwapsANewRsInWithRsPrivilegesAndTheCheckpoint) {
    g_.signal(RS_PROC_NR, sigs(SIGSEGV));
    EXPECT_TRUE(h_.logged("guard: RS (endpoint 2) got SIGSEGV: starting a new RS"));
    ASSERT_TRUE(h_.saw("spawn 200"));
    ASSERT_TRUE(h_.saw("set_priv 200"));
    EXPECT_EQ(h_.last_priv.k_call_mask, 0x1234u);  // what RS said
    EXPECT_EQ(h_.last_priv.sig_mgr, GUARD_EP);     // whatever RS said
    EXPECT_TRUE(h_.last_priv.flags & DYN_PRIV_ID);
    EXPECT_EQ(g_.phase(), Phase::STARTING);
    EXPECT_FALSE(h_.saw("update 2 200 restart"));  // not loaded yet
    h_.started_now = true;
    g_.started();
    EXPECT_TRUE(h_.saw("update 2 200 restart"));
    EXPECT_TRUE(h_.saw("allow 2"));
    EXPECT_TRUE(h_.saw("init prev=200 grant=5 restarts=1"));
    EXPECT_EQ(g_.phase(), Phase::INITIALIZING);
    EXPECT_FALSE(h_.saw("clear 200"));  // the dead image waits for the answer
    g_.rs_up(OK, 9, nullptr);
    EXPECT_TRUE(h_.saw("clear 200"));
    EXPECT_EQ(g_.phase(), Phase::WATCHING);
    EXPECT_EQ(g_.state_grant(), 9);  // the new RS's checkpoint from now on
    EXPECT_EQ(g_.restarts(), 1);
    EXPECT_TRUE(h_.logged("the new RS serves at endpoint 2"));
}

TEST_F(Guard, WithoutWordFromRsTheBootPrivilegesAreUsed) {
    Guardian g;
    g.init(h_, GUARD_EP);
    g.signal(RS_PROC_NR, sigs(SIGKILL));
    EXPECT_EQ(h_.last_priv.k_call_mask, ~std::uint64_t{0});
    EXPECT_EQ(h_.last_priv.flags & AUTHORITY_FLAGS, AUTHORITY_FLAGS);
    h_.started_now = true;
    g.started();
    EXPECT_TRUE(h_.saw("init prev=200 grant=-1 restarts=1"));  // no checkpoint known
}

TEST_F(Guard, NoStartReportedSwapsAfterTheWait) {
    g_.signal(RS_PROC_NR, sigs(SIGSEGV));
    g_.tick();
    EXPECT_FALSE(h_.saw("update 2 200 restart"));
    h_.ticks += START_WAIT;
    g_.tick();
    EXPECT_TRUE(h_.saw("update 2 200 restart"));
}

TEST_F(Guard, SwapRefusedForNowIsRetriedThenGivenUp) {
    h_.update_error = -EBUSY;
    g_.signal(RS_PROC_NR, sigs(SIGSEGV));
    h_.started_now = true;
    g_.started();
    EXPECT_EQ(g_.phase(), Phase::STARTING);
    h_.ticks += INIT_T + 1;
    g_.tick();
    EXPECT_EQ(g_.phase(), Phase::BACKOFF);
    EXPECT_TRUE(h_.saw("clear 200"));
    EXPECT_TRUE(h_.logged("the kernel refused to swap it in (EBUSY)"));
}

TEST_F(Guard, FailedInitIsRolledBackAndRetriedWithBackoff) {
    die_and_swap();
    g_.rs_up(-EINVAL, 11, nullptr);
    EXPECT_TRUE(h_.saw("kill 2 9"));
    EXPECT_TRUE(h_.saw("update 200 2 rollback"));
    EXPECT_TRUE(h_.saw("clear 200"));  // the failed one, swapped out
    EXPECT_EQ(g_.phase(), Phase::BACKOFF);
    EXPECT_EQ(g_.state_grant(), 5);  // still the dead RS's
    EXPECT_TRUE(h_.logged("its initialization failed (EINVAL); attempt 2 in"));
    h_.events.clear();
    h_.started_now = false;
    h_.ticks += backoff_ticks(1) - 1;
    g_.tick();
    EXPECT_TRUE(h_.events.empty());
    h_.ticks += 1;
    g_.tick();
    EXPECT_TRUE(h_.saw("spawn 201"));
    h_.started_now = true;
    g_.started();
    EXPECT_TRUE(h_.saw("update 2 201 restart"));
    EXPECT_TRUE(h_.saw("init prev=201 grant=5 restarts=1"));
    g_.rs_up(OK, 12, nullptr);
    EXPECT_EQ(g_.phase(), Phase::WATCHING);
    EXPECT_EQ(g_.failures(), 0);
}

TEST_F(Guard, CrashOrHangOfTheNewRsIsRetried) {
    die_and_swap();
    g_.signal(RS_PROC_NR, sigs(SIGSEGV));  // the new one, at RS's endpoint
    EXPECT_TRUE(h_.logged("it got SIGSEGV during its initialization"));
    EXPECT_TRUE(h_.saw("update 200 2 rollback"));
    EXPECT_EQ(g_.phase(), Phase::BACKOFF);
    h_.ticks += backoff_ticks(1);
    g_.tick();
    h_.started_now = true;
    g_.started();
    ASSERT_EQ(g_.phase(), Phase::INITIALIZING);
    h_.ticks += INIT_T;
    g_.tick();
    EXPECT_TRUE(h_.logged("no answer to its RS_INIT within 10 s"));
    EXPECT_EQ(g_.failures(), 2);
    EXPECT_EQ(g_.phase(), Phase::BACKOFF);
}

TEST_F(Guard, RollbackRefusedMakesTheFailedRsTheDeadOne) {
    h_.rollback_error = -EBUSY;
    die_and_swap();
    g_.rs_up(-EIO, 11, nullptr);
    EXPECT_TRUE(h_.saw("clear 200"));  // the first dead image goes
    EXPECT_EQ(g_.state_grant(), -1);   // and its checkpoint with it
    EXPECT_TRUE(h_.logged("cannot swap the dead RS back (EBUSY)"));
}

TEST_F(Guard, NewRsDyingBeforeTheSwapIsCleared) {
    g_.signal(RS_PROC_NR, sigs(SIGSEGV));
    g_.signal(200, sigs(SIGKILL));
    EXPECT_TRUE(h_.saw("clear 200"));
    EXPECT_EQ(g_.phase(), Phase::BACKOFF);
    EXPECT_FALSE(h_.saw("update 2 200 restart"));
}

TEST_F(Guard, SpawnFailureIsRetried) {
    h_.spawn_error = -ENOENT;
    g_.signal(RS_PROC_NR, sigs(SIGSEGV));
    EXPECT_TRUE(h_.logged("cannot create it from the program 'rs' (ENOENT)"));
    EXPECT_EQ(g_.phase(), Phase::BACKOFF);
    h_.spawn_error = OK;
    h_.ticks += backoff_ticks(1);
    g_.tick();
    EXPECT_TRUE(h_.saw("spawn 200"));
}

TEST_F(Guard, OtherSignalsEndAtOnceAndTheDeadRsStaysHeld) {
    g_.signal(RS_PROC_NR, sigs(SIGTERM));
    EXPECT_TRUE(h_.saw("endksig 2"));
    EXPECT_EQ(g_.phase(), Phase::WATCHING);
    h_.events.clear();
    g_.signal(RS_PROC_NR, sigs(SIGSEGV));
    g_.signal(RS_PROC_NR, sigs(SIGTERM));  // the dead one: never let go
    EXPECT_FALSE(h_.saw("endksig 2"));
}

TEST_F(Guard, DeathsOfStrangersGoToRs) {
    g_.signal(150, sigs(SIGSEGV));  // e.g. the new RS of RS's own update
    EXPECT_TRUE(h_.saw("forward 150 " + std::to_string(sigs(SIGSEGV))));
    EXPECT_FALSE(h_.saw("endksig 150"));
    g_.signal(150, sigs(SIGTERM));
    EXPECT_TRUE(h_.saw("endksig 150"));
}

TEST_F(Guard, LateAnswersOfAnAttemptGivenUpAreIgnored) {
    die_and_swap();
    g_.rs_up(-EINVAL, 11, nullptr);
    h_.events.clear();
    g_.rs_up(OK, 13, nullptr);  // BACKOFF: not the RS that runs
    EXPECT_TRUE(h_.events.empty());
    EXPECT_EQ(g_.state_grant(), 5);
}

TEST_F(Guard, HungRsIsKilledOnceWhichStartsTheRecovery) {
    h_.ticks += PING_T;
    g_.tick();
    EXPECT_TRUE(h_.saw("ping"));
    g_.rs_alive();
    h_.ticks += HANG_T - 1;
    g_.tick();
    EXPECT_FALSE(h_.saw("kill 2 9"));
    h_.ticks += 1;
    g_.tick();
    EXPECT_TRUE(h_.saw("kill 2 9"));
    EXPECT_TRUE(h_.logged("RS has not answered for 10 s (hung): killing it"));
    h_.events.clear();
    h_.ticks += PING_T;
    g_.tick();
    EXPECT_FALSE(h_.saw("kill 2 9"));  // once; its SIGKILL comes back to us
    g_.signal(RS_PROC_NR, sigs(SIGKILL));
    EXPECT_TRUE(h_.saw("spawn 200"));
}

TEST_F(Guard, RepeatedFailuresGiveUpTheCheckpoint) {
    die_and_swap();
    for (int attempt = 2; attempt <= 3; ++attempt) {
        g_.rs_up(-EINVAL, 11, nullptr);
        h_.events.clear();
        h_.start_at_spawn = true;
        h_.ticks += backoff_ticks(g_.failures());
        g_.tick();
        const std::string ep = std::to_string(h_.next_ep - 1);
        EXPECT_TRUE(
            h_.saw("init prev=" + ep + (attempt < 3 ? " grant=5" : " grant=-1") + " restarts=1"))
            << attempt << ": " << (h_.events.empty() ? "" : h_.events.back());
    }
    EXPECT_TRUE(h_.logged("attempt 3 without the dead RS's checkpoint"));
}

TEST(GuardBackoff, DoublesUpToTheCap) {
    EXPECT_EQ(backoff_ticks(0), 0);
    EXPECT_EQ(backoff_ticks(1), BACKOFF_BASE);
    EXPECT_EQ(backoff_ticks(2), 2 * BACKOFF_BASE);
    EXPECT_EQ(backoff_ticks(50), BACKOFF_MAX);
}

}  // namespace
