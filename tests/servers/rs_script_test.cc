// Recovery scripts (servers/rs/scripts.cc, `service up ... -script S`) on
// a fake Host: the script instead of a restart, its reason and arguments,
// who may ask, and RS's own restart when the script does not act.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rs_manager_fixture.h"
#include "umk/sig.h"
#include "umklib/rs_proto.h"
#include "umklib/sef.h"

namespace umk::rs {
namespace {

using namespace testing;  // RsManager, its endpoints and FakeHost (rs_manager_fixture.h)

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
